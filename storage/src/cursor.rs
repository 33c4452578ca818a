//! Reading encoded bytes front to back: the shared primitive of the key and row decoders.
//! Running out of input is [`Error::Corrupt`], never a panic.

use crate::{Error, Result};

/// Splits `n` bytes off the front of `input`.
pub(crate) fn take<'a>(input: &mut &'a [u8], n: usize) -> Result<&'a [u8]> {
    let Some((head, rest)) = input.split_at_checked(n) else {
        return Err(ends_early(n, input.len()));
    };
    *input = rest;
    Ok(head)
}

/// Splits `N` bytes off the front of `input` as an array.
pub(crate) fn take_array<const N: usize>(input: &mut &[u8]) -> Result<[u8; N]> {
    let Some((head, rest)) = input.split_first_chunk::<N>() else {
        return Err(ends_early(N, input.len()));
    };
    *input = rest;
    Ok(*head)
}

fn ends_early(need: usize, have: usize) -> Error {
    Error::Corrupt(format!("encoded value ends early: need={need} have={have}"))
}
