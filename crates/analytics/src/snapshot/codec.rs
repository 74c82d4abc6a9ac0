//! Little-endian column codec for snapshots: each vector is its length (u64) then its
//! elements, so a column of millions of numbers is one bulk copy each way. Reading never
//! trusts a length: one that runs past the end is an error, never a panic or a huge
//! allocation.

use super::SnapshotError;

#[derive(Default)]
pub(crate) struct Writer {
    pub(crate) buf: Vec<u8>,
}

macro_rules! put_nums {
    ($name:ident, $ty:ty) => {
        pub(crate) fn $name(&mut self, v: &[$ty]) {
            self.u64(v.len() as u64);
            self.buf.reserve(v.len() * std::mem::size_of::<$ty>());
            for x in v {
                self.buf.extend_from_slice(&x.to_le_bytes());
            }
        }
    };
}

impl Writer {
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
    put_nums!(u16s, u16);
    put_nums!(u32s, u32);
    put_nums!(u64s, u64);
    put_nums!(i32s, i32);
    put_nums!(i64s, i64);
    put_nums!(i128s, i128);
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
    get_nums!(u16s, u16);
    get_nums!(u32s, u32);
    get_nums!(u64s, u64);
    get_nums!(i32s, i32);
    get_nums!(i64s, i64);
    get_nums!(i128s, i128);
}
