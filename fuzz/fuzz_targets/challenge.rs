//! Differential: the crate's allocation-free QRY response and login digest against independent
//! MD5 implementations, on arbitrary challenge, key, salt and password bytes.
//!
//! Oracle (`msnp6::fuzzing::challenge`): the crate's key table and the documented examples are
//! those of reference §9; `qry_response` (with every documented private key, looked up by its
//! public key, and with an arbitrary key), `login_digest` and their `String` forms equal
//! lower-case hex MD5 of the concatenation, computed here by the `md5` crate (a dependency of this
//! fuzz crate only) and, cross-checked, by the oracle's own RFC 1321 implementation.
#![no_main]

use libfuzzer_sys::fuzz_target;

fn reference(parts: &[&[u8]]) -> [u8; 16] {
    let mut ctx = md5::Context::new();
    for p in parts {
        ctx.consume(p);
    }
    let digest = ctx.compute().0;
    assert_eq!(
        digest,
        msnp6::fuzzing::md5::md5(parts),
        "the two MD5s disagree"
    );
    digest
}

fuzz_target!(|data: &[u8]| msnp6::fuzzing::challenge(data, &reference));
