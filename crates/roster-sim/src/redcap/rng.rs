//! The deterministic generator of spec §6.3 (SplitMix64), role names and tokens.

/// SplitMix64, so every implementation of the spec draws the same values for a seed.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator at `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A 32-character upper-case hex token.
    pub fn token(&mut self) -> String {
        format!("{:016X}{:016X}", self.next_u64(), self.next_u64())
    }

    /// A unique role name `U-` + 3 digits (zeros replaced) + 7 letters, redrawn until
    /// `taken` says it is free.
    pub fn role_name(&mut self, taken: impl Fn(&str) -> bool) -> String {
        const ALPHABET: &[u8] = b"34789ACDEFHJKLMNPRTWXY";
        loop {
            let mut number = format!("{:03}", self.next_u64() % 1000);
            if number.contains('0') {
                let digit = char::from(b'1' + (self.next_u64() % 9) as u8);
                number = number.replace('0', &digit.to_string());
            }
            let tail = loop {
                let tail: String = (0..7)
                    .map(|_| ALPHABET[(self.next_u64() % 22) as usize] as char)
                    .collect();
                if !looks_scientific(&tail) {
                    break tail;
                }
            };
            let name = format!("U-{number}{tail}");
            if !taken(&name) {
                return name;
            }
        }
    }
}

/// Digits, `E`, digits: a value a spreadsheet would read as a number.
fn looks_scientific(text: &str) -> bool {
    match text.split_once('E') {
        Some((mantissa, exponent)) => {
            !mantissa.is_empty()
                && !exponent.is_empty()
                && mantissa.bytes().all(|b| b.is_ascii_digit())
                && exponent.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_have_the_documented_form() {
        let mut rng = SplitMix64::new(42);
        for _ in 0..200 {
            let name = rng.role_name(|_| false);
            let bytes = name.as_bytes();
            assert_eq!(bytes.len(), 12, "{name}");
            assert!(name.starts_with("U-"));
            assert!(
                bytes[2..5].iter().all(|b| (b'1'..=b'9').contains(b)),
                "{name}"
            );
            assert!(bytes[5..]
                .iter()
                .all(|b| b"34789ACDEFHJKLMNPRTWXY".contains(b)));
        }
        assert!(looks_scientific("3E7") && !looks_scientific("3EA") && !looks_scientific("E77"));
    }

    #[test]
    fn splitmix_reference_value() {
        // First output for seed 0 from the SplitMix64 reference implementation.
        assert_eq!(SplitMix64::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
    }
}
