//! Just enough of a big unsigned integer for the float digit search.

use std::cmp::Ordering;

/// Limbs of a [`Big`]: 1280 bits. The largest number the float digit search
/// scales stays below 2^1100 (a float8 near its maximum times 40, or the
/// reciprocal scale of the smallest subnormal).
const LIMBS: usize = 40;

/// A nonnegative integer, little-endian 32-bit limbs; limbs at `len` and
/// above are zero.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct Big {
    limbs: [u32; LIMBS],
    len: usize,
}

impl From<u64> for Big {
    fn from(value: u64) -> Self {
        let mut big = Big {
            limbs: [0; LIMBS],
            len: 2,
        };
        big.limbs[0] = value as u32;
        big.limbs[1] = (value >> 32) as u32;
        big.trim();
        big
    }
}

impl Big {
    /// Drops leading zero limbs from `len`.
    fn trim(&mut self) {
        while self.len > 0 && self.limbs[self.len - 1] == 0 {
            self.len -= 1;
        }
    }

    /// `self * 2^bits`.
    pub(super) fn shl(self, bits: u32) -> Self {
        let (words, bits) = ((bits / 32) as usize, bits % 32);
        let mut out = Big {
            limbs: [0; LIMBS],
            len: (self.len + words + 1).min(LIMBS),
        };
        for (i, limb) in self.limbs[..self.len].iter().enumerate() {
            let wide = u64::from(*limb) << bits;
            if let Some(slot) = out.limbs.get_mut(i + words) {
                *slot |= wide as u32;
            }
            if let Some(slot) = out.limbs.get_mut(i + words + 1) {
                *slot |= (wide >> 32) as u32;
            }
        }
        out.trim();
        out
    }

    /// `self *= factor`.
    pub(super) fn mul_small(&mut self, factor: u32) {
        let mut carry = 0;
        for limb in &mut self.limbs[..self.len] {
            let wide = u64::from(*limb) * u64::from(factor) + carry;
            *limb = wide as u32;
            carry = wide >> 32;
        }
        if carry > 0 && self.len < LIMBS {
            self.limbs[self.len] = carry as u32;
            self.len += 1;
        }
    }

    /// `self * factor`.
    pub(super) fn times(mut self, factor: u32) -> Self {
        self.mul_small(factor);
        self
    }

    /// `self *= 10^exp`.
    pub(super) fn mul_pow10(&mut self, mut exp: u32) {
        while exp >= 9 {
            self.mul_small(1_000_000_000);
            exp -= 9;
        }
        self.mul_small(10u32.pow(exp));
    }

    /// `self + other`.
    pub(super) fn add(&self, other: &Big) -> Big {
        let mut out = *self;
        out.len = self.len.max(other.len);
        let mut carry = 0;
        for (limb, theirs) in out.limbs[..out.len].iter_mut().zip(other.limbs) {
            let wide = u64::from(*limb) + u64::from(theirs) + carry;
            *limb = wide as u32;
            carry = wide >> 32;
        }
        if carry > 0 && out.len < LIMBS {
            out.limbs[out.len] = 1;
            out.len += 1;
        }
        out
    }

    /// `self -= other`, for `other <= self`.
    pub(super) fn sub_assign(&mut self, other: &Big) {
        let mut borrow = 0;
        for (limb, theirs) in self.limbs[..self.len].iter_mut().zip(other.limbs) {
            let (partial, borrow_a) = limb.overflowing_sub(theirs);
            let (result, borrow_b) = partial.overflowing_sub(borrow);
            *limb = result;
            borrow = u32::from(borrow_a || borrow_b);
        }
        self.trim();
    }
}

impl PartialOrd for Big {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Big {
    fn cmp(&self, other: &Self) -> Ordering {
        self.len.cmp(&other.len).then_with(|| {
            let len = self.len;
            self.limbs[..len]
                .iter()
                .rev()
                .cmp(other.limbs[..len].iter().rev())
        })
    }
}
