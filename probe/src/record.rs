//! Record: what crossed the connections of one session, in the order the probe saw it, written
//! as a transcript (`docs/transcript-format.md`, several-connections extension) that
//! `msnp6 transcript verify` reads.

use std::path::{Path, PathBuf};

use msnp6::ServerKind;

/// The most bytes of one frame written to a transcript (a hostile server's endless line).
const MAX_FRAME_WRITTEN: usize = 4096;

/// One thing that happened on a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// The client opened the connection.
    Connect(String),
    /// The connection closed (either side).
    Disconnect(String),
    /// A frame the client sent (exact bytes).
    Client(String, Vec<u8>),
    /// A frame the server sent (exact bytes).
    Server(String, Vec<u8>),
}

/// The record of one session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// The accounts (`handle`, `password`) the session used.
    pub accounts: Vec<(String, String)>,
    /// Every connection opened, with its server kind, in order.
    pub connections: Vec<(String, ServerKind)>,
    /// What happened, in order.
    pub items: Vec<Item>,
}

impl Record {
    /// The number of frames the client sent.
    pub fn client_frames(&self) -> usize {
        self.items
            .iter()
            .filter(|i| matches!(i, Item::Client(..)))
            .count()
    }

    /// The transcript: header (source, versions, one `# note: account` per account, one
    /// `# connection:` per connection), then each item.
    pub fn transcript(&self, note: &str) -> Vec<u8> {
        let mut out = Vec::new();
        let mut line = |bytes: &[u8]| {
            out.extend_from_slice(bytes);
            out.push(b'\n');
        };
        line(b"# source: msnp6 probe (observed frames of a session against a running server)");
        line(b"# versions: MSNP6");
        line(format!("# note: {note}").as_bytes());
        for (handle, password) in &self.accounts {
            line(format!("# note: account {handle}:{password}").as_bytes());
        }
        for (name, kind) in &self.connections {
            line(format!("# connection: {name} {}", kind.as_str()).as_bytes());
        }
        for item in &self.items {
            match item {
                Item::Connect(c) => line(format!("# event: {c} connect").as_bytes()),
                Item::Disconnect(c) => line(format!("# event: {c} disconnect").as_bytes()),
                Item::Client(c, bytes) => frame(&mut line, 'C', c, bytes),
                Item::Server(c, bytes) => frame(&mut line, 'S', c, bytes),
            }
        }
        out
    }

    /// Writes the transcript to `dir/name` (creating `dir`); returns the path.
    pub fn save(&self, dir: &Path, name: &str, note: &str) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(name);
        std::fs::write(&path, self.transcript(note))?;
        Ok(path)
    }
}

/// A frame: its tagged command line, then its payload one CR LF-separated piece a line.
fn frame(line: &mut impl FnMut(&[u8]), side: char, conn: &str, bytes: &[u8]) {
    let bytes = &bytes[..bytes.len().min(MAX_FRAME_WRITTEN)];
    let (command, payload) = match bytes.windows(2).position(|w| w == b"\r\n") {
        Some(end) => (&bytes[..end], Some(&bytes[end + 2..])),
        None => (bytes.strip_suffix(b"\n").unwrap_or(bytes), None),
    };
    let mut tagged = format!("{side}@{conn}: ").into_bytes();
    tagged.extend_from_slice(command);
    line(&tagged);
    if let Some(payload) = payload.filter(|p| !p.is_empty()) {
        let mut rest = payload;
        while let Some(end) = rest.windows(2).position(|w| w == b"\r\n") {
            line(&rest[..end]);
            rest = &rest[end + 2..];
        }
        line(rest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_and_payloads_become_transcript_lines() {
        let record = Record {
            accounts: vec![("a@b.c".into(), "pw".into())],
            connections: vec![("u0-ns1".into(), ServerKind::Notification)],
            items: vec![
                Item::Connect("u0-ns1".into()),
                Item::Client("u0-ns1".into(), b"VER 1 MSNP6\r\n".to_vec()),
                Item::Server("u0-ns1".into(), b"MSG x y 5\r\nA\r\nB".to_vec()),
                Item::Disconnect("u0-ns1".into()),
            ],
        };
        let text = String::from_utf8(record.transcript("n")).unwrap_or_default();
        assert!(
            text.ends_with(
                "# event: u0-ns1 connect\nC@u0-ns1: VER 1 MSNP6\nS@u0-ns1: MSG x y 5\nA\nB\n# event: u0-ns1 disconnect\n"
            ),
            "{text}"
        );
        assert!(text.contains("# note: account a@b.c:pw\n# connection: u0-ns1 NS\n"));
    }
}
