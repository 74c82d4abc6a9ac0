//! Column codec for snapshots. Scalars are little-endian. A column of bytes is its length
//! (u64) then its bytes. A column of wider integers is its length (u64), the length of its
//! encoding in bytes (u64), then per element the difference from the element before (the first
//! from 0), wrapping in 64 bits, zigzag-mapped (small negatives small) and written as an
//! unsigned LEB128 varint: row columns are sorted or slowly changing, so most elements take a
//! byte where they took 2 to 8, and a 5 M-row table's snapshot is a third of the size
//! (fewer fresh pages to write and to read). Reading never trusts a length: one that runs past
//! the end is an error, never a panic or a huge allocation; so is a varint longer than 64
//! bits or an element outside its type.

use super::SnapshotError;

#[derive(Default)]
pub(crate) struct Writer<'s> {
    pub(crate) buf: Vec<u8>,
    /// Where full pieces go as they are made (a file being written meanwhile); without one
    /// everything stays in `buf`.
    pub(crate) sink: Option<&'s mut dyn FnMut(Vec<u8>)>,
    /// Bytes gathered before they go to the sink.
    pub(crate) piece: usize,
}

/// An integer type stored as a delta-varint column: its bits as a u64 (sign-extended for
/// signed types) and back.
pub(crate) trait Column: Copy {
    fn to_bits(self) -> u64;
    fn from_bits(bits: u64) -> Option<Self>;
}

macro_rules! column {
    ($ty:ty, unsigned) => {
        impl Column for $ty {
            fn to_bits(self) -> u64 {
                u64::from(self)
            }
            fn from_bits(bits: u64) -> Option<Self> {
                <$ty>::try_from(bits).ok()
            }
        }
    };
    ($ty:ty, signed) => {
        impl Column for $ty {
            fn to_bits(self) -> u64 {
                i64::from(self) as u64
            }
            fn from_bits(bits: u64) -> Option<Self> {
                <$ty>::try_from(bits as i64).ok()
            }
        }
    };
}
column!(u16, unsigned);
column!(u32, unsigned);
column!(u64, unsigned);
column!(i32, signed);
column!(i64, signed);

fn zigzag(d: u64) -> u64 {
    let d = d as i64;
    ((d << 1) ^ (d >> 63)) as u64
}

fn unzigzag(z: u64) -> u64 {
    (z >> 1) ^ (z & 1).wrapping_neg()
}

macro_rules! put_nums {
    ($name:ident, $ty:ty) => {
        pub(crate) fn $name(&mut self, v: &[$ty]) {
            self.u64(v.len() as u64);
            self.buf.reserve(v.len() * std::mem::size_of::<$ty>());
            for x in v {
                self.buf.extend_from_slice(&x.to_le_bytes());
            }
            self.spill();
        }
    };
}

impl Writer<'_> {
    pub(crate) fn u8(&mut self, x: u8) {
        self.buf.push(x);
    }
    pub(crate) fn u16(&mut self, x: u16) {
        self.buf.extend_from_slice(&x.to_le_bytes());
    }
    pub(crate) fn u32(&mut self, x: u32) {
        self.buf.extend_from_slice(&x.to_le_bytes());
    }
    pub(crate) fn u64(&mut self, x: u64) {
        self.buf.extend_from_slice(&x.to_le_bytes());
    }
    pub(crate) fn i128(&mut self, x: i128) {
        self.buf.extend_from_slice(&x.to_le_bytes());
    }
    pub(crate) fn bool(&mut self, x: bool) {
        self.u8(u8::from(x));
    }
    pub(crate) fn str(&mut self, s: &str) {
        self.u8s(s.as_bytes());
    }
    put_nums!(u8s, u8);
    put_nums!(i128s, i128);

    /// Hand what is gathered to the sink once it is a piece's worth (called between columns).
    pub(crate) fn spill(&mut self) {
        if self.buf.len() >= self.piece {
            if let Some(sink) = self.sink.as_mut() {
                sink(std::mem::replace(
                    &mut self.buf,
                    Vec::with_capacity(2 * self.piece),
                ));
            }
        }
    }

    /// A column of wider integers, as deltas in varints (see the module's doc).
    pub(crate) fn column<T: Column>(&mut self, v: &[T]) {
        self.u64(v.len() as u64);
        let at = self.buf.len();
        self.u64(0); // the encoding's length, patched in below
        self.buf.reserve(v.len());
        let mut previous = 0u64;
        for &x in v {
            let bits = x.to_bits();
            let mut z = zigzag(bits.wrapping_sub(previous));
            previous = bits;
            while z >= 0x80 {
                self.buf.push((z as u8) | 0x80);
                z >>= 7;
            }
            self.buf.push(z as u8);
        }
        let len = (self.buf.len() - at - 8) as u64;
        self.buf[at..at + 8].copy_from_slice(&len.to_le_bytes());
        self.spill();
    }
}

pub(crate) struct Reader<'a> {
    pub(crate) rest: &'a [u8],
}

macro_rules! get_nums {
    ($name:ident, $ty:ty) => {
        pub(crate) fn $name(&mut self) -> Result<Vec<$ty>, SnapshotError> {
            const W: usize = std::mem::size_of::<$ty>();
            let n = self.len(W)?;
            let bytes = self.take(n * W)?;
            Ok(bytes
                .chunks_exact(W)
                .map(|c| <$ty>::from_le_bytes(c.try_into().expect("chunks of W bytes")))
                .collect())
        }
    };
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { rest: bytes }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], SnapshotError> {
        if n > self.rest.len() {
            return Err(SnapshotError::Corrupt(format!(
                "a field of {n} bytes runs past the end ({} left)",
                self.rest.len()
            )));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], SnapshotError> {
        Ok(self.take(N)?.try_into().expect("N bytes"))
    }

    /// A length of elements of `width` bytes, checked against what is left.
    fn len(&mut self, width: usize) -> Result<usize, SnapshotError> {
        let n = self.u64()?;
        let fits = usize::try_from(n).ok().filter(|n| {
            n.checked_mul(width.max(1))
                .is_some_and(|b| b <= self.rest.len())
        });
        fits.ok_or_else(|| {
            SnapshotError::Corrupt(format!("a length of {n} runs past the end of the payload"))
        })
    }

    pub(crate) fn u8(&mut self) -> Result<u8, SnapshotError> {
        Ok(self.array::<1>()?[0])
    }
    pub(crate) fn u16(&mut self) -> Result<u16, SnapshotError> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    pub(crate) fn u32(&mut self) -> Result<u32, SnapshotError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    pub(crate) fn u64(&mut self) -> Result<u64, SnapshotError> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    pub(crate) fn i128(&mut self) -> Result<i128, SnapshotError> {
        Ok(i128::from_le_bytes(self.array()?))
    }
    pub(crate) fn bool(&mut self) -> Result<bool, SnapshotError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(SnapshotError::Corrupt(format!("{b} is not a boolean"))),
        }
    }
    pub(crate) fn str(&mut self) -> Result<String, SnapshotError> {
        String::from_utf8(self.u8s()?)
            .map_err(|_| SnapshotError::Corrupt("a text field is not UTF-8".into()))
    }
    /// The count of a list of composite items (each at least one byte).
    pub(crate) fn count(&mut self) -> Result<usize, SnapshotError> {
        self.len(1)
    }
    get_nums!(u8s, u8);
    get_nums!(i128s, i128);

    /// A column written by [`Writer::column`].
    pub(crate) fn column<T: Column>(&mut self) -> Result<Vec<T>, SnapshotError> {
        let n = self.u64()?;
        let len = self.len(1)?;
        let bytes = self.take(len)?;
        // Each element takes at least a byte: a count above the bytes is a lie, refused
        // before anything is allocated for it.
        let n = usize::try_from(n)
            .ok()
            .filter(|&n| n <= bytes.len())
            .ok_or_else(|| {
                SnapshotError::Corrupt(format!("{n} elements cannot fit in {len} bytes"))
            })?;
        let mut out = Vec::with_capacity(n);
        let (mut at, mut previous) = (0usize, 0u64);
        while out.len() < n {
            let (mut z, mut shift) = (0u64, 0u32);
            loop {
                let Some(&b) = bytes.get(at) else {
                    return Err(SnapshotError::Corrupt(
                        "a column ends inside an element".into(),
                    ));
                };
                at += 1;
                if shift == 63 && b > 1 {
                    return Err(SnapshotError::Corrupt(
                        "a column element is longer than 64 bits".into(),
                    ));
                }
                z |= u64::from(b & 0x7f) << shift;
                if b < 0x80 {
                    break;
                }
                shift += 7;
            }
            previous = previous.wrapping_add(unzigzag(z));
            out.push(T::from_bits(previous).ok_or_else(|| {
                SnapshotError::Corrupt(format!(
                    "a column element ({previous:#x}) is outside its type"
                ))
            })?);
        }
        if at != bytes.len() {
            return Err(SnapshotError::Corrupt(format!(
                "{} bytes left over in a column",
                bytes.len() - at
            )));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{Column, Reader, Writer};
    use crate::snapshot::SnapshotError;

    fn round_trip<T: Column + PartialEq + std::fmt::Debug>(v: &[T]) -> Vec<T> {
        let mut w = Writer::default();
        w.column(v);
        let mut r = Reader::new(&w.buf);
        let back = r.column::<T>().expect("a column written reads back");
        assert!(r.rest.is_empty(), "the column is read to its end");
        back
    }

    fn corrupt(bytes: &[u8]) -> String {
        match Reader::new(bytes).column::<u16>() {
            Err(SnapshotError::Corrupt(why)) => why,
            other => panic!("expected a corrupt column, got {other:?}"),
        }
    }

    /// A column of `n` elements whose encoding is `body`.
    fn column(n: u64, body: &[u8]) -> Vec<u8> {
        let mut b = n.to_le_bytes().to_vec();
        b.extend_from_slice(&(body.len() as u64).to_le_bytes());
        b.extend_from_slice(body);
        b
    }

    #[test]
    fn the_extremes_of_every_type_round_trip() {
        let u = [0u64, u64::MAX, 1, u64::MAX - 1, 1 << 63, 0];
        assert_eq!(round_trip(&u), u);
        let i = [i64::MIN, i64::MAX, -1, 0, i64::MIN, 1];
        assert_eq!(round_trip(&i), i);
        let s = [i32::MIN, i32::MAX, -7, i32::MIN];
        assert_eq!(round_trip(&s), s);
        let w = [u32::MAX, 0, u32::MAX];
        assert_eq!(round_trip(&w), w);
        let h = [u16::MAX, 0, 5, u16::MAX];
        assert_eq!(round_trip(&h), h);
        assert_eq!(round_trip::<u32>(&[]), Vec::<u32>::new());
    }

    #[test]
    fn sorted_and_slowly_changing_columns_take_a_byte_an_element() {
        let rows: Vec<u32> = (0..10_000).map(|i| i / 3).collect();
        let mut w = Writer::default();
        w.column(&rows);
        assert_eq!(w.buf.len(), 16 + rows.len());
    }

    #[test]
    fn damaged_columns_are_refused_with_their_reason() {
        // Element counts the bytes cannot hold are refused before any allocation.
        assert!(corrupt(&column(u64::MAX, &[1])).contains("cannot fit"));
        assert!(corrupt(&column(2, &[1])).contains("cannot fit"));
        // A varint whose last byte says more follows.
        assert!(corrupt(&column(1, &[0x81])).contains("ends inside an element"));
        // Ten bytes carrying more than 64 bits.
        let long = [0xff; 9].iter().copied().chain([0x7f]).collect::<Vec<_>>();
        assert!(corrupt(&column(1, &long)).contains("longer than 64 bits"));
        // 70,000 does not fit a u16 column.
        let mut w = Writer::default();
        w.column(&[70_000u32]);
        assert!(corrupt(&w.buf).contains("outside its type"));
        // A byte after the last element.
        assert!(corrupt(&column(1, &[2, 0])).contains("left over"));
        // The encoding's length runs past the end.
        let mut cut = column(1, &[2]);
        cut.pop();
        assert!(matches!(
            Reader::new(&cut).column::<u16>(),
            Err(SnapshotError::Corrupt(_))
        ));
    }

    proptest! {
        #[test]
        fn any_column_round_trips(v in proptest::collection::vec(any::<i64>(), 0..200),
                                  w in proptest::collection::vec(any::<u32>(), 0..200)) {
            prop_assert_eq!(round_trip(&v), v);
            prop_assert_eq!(round_trip(&w), w);
        }
    }
}
