//! A small deterministic generator (splitmix64), so that the same seed always makes the same
//! sample data: every demo database is the same, and so is every benchmark load of one size.

/// The generator's state; the seed is the first value.
pub(super) struct Dice(pub(super) u64);

impl Dice {
    fn raw(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..below` (0 when `below` is 0).
    pub(super) fn next(&mut self, below: u64) -> u64 {
        self.raw() % below.max(1)
    }

    pub(super) fn chance(&mut self, probability: f64) -> bool {
        ((self.raw() >> 11) as f64 / (1u64 << 53) as f64) < probability
    }

    pub(super) fn pick(&mut self, items: &[&'static str]) -> &'static str {
        items[index(self.next(items.len() as u64), items.len())]
    }

    /// A random-looking version 4 UUID, like the ones the services make.
    pub(super) fn uuid(&mut self) -> String {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.raw().to_le_bytes());
        bytes[8..].copy_from_slice(&self.raw().to_le_bytes());
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }
}

/// `i` wrapped into `0..len`, as an index.
pub(super) fn index(i: u64, len: usize) -> usize {
    usize::try_from(i).unwrap_or(0) % len.max(1)
}
