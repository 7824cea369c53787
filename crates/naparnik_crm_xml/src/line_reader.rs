use std::cell::Cell;
use std::io::{BufRead, Read, Result};
use std::rc::Rc;

/// A `BufRead` that counts the newlines the parser has consumed, so events and errors get line numbers.
pub(crate) struct LineCountingReader<R> {
    inner: R,
    newlines: Rc<Cell<u64>>,
}

/// Reads the line the parser is on while the parser holds the reader.
#[derive(Clone)]
pub(crate) struct LineCounter(Rc<Cell<u64>>);

impl LineCounter {
    /// The 1-based line the parser is on.
    pub(crate) fn line(&self) -> u64 {
        self.0.get() + 1
    }
}

impl<R> LineCountingReader<R> {
    pub(crate) fn new(inner: R) -> (Self, LineCounter) {
        let newlines = Rc::new(Cell::new(0));
        (
            LineCountingReader {
                inner,
                newlines: newlines.clone(),
            },
            LineCounter(newlines),
        )
    }
}

impl<R: BufRead> Read for LineCountingReader<R> {
    fn read(&mut self, out: &mut [u8]) -> Result<usize> {
        let available = self.fill_buf()?;
        let count = available.len().min(out.len());
        out[..count].copy_from_slice(&available[..count]);
        self.consume(count);
        Ok(count)
    }
}

impl<R: BufRead> BufRead for LineCountingReader<R> {
    fn fill_buf(&mut self) -> Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        if let Ok(buffer) = self.inner.fill_buf() {
            let consumed = &buffer[..amount.min(buffer.len())];
            let newlines = consumed.iter().filter(|b| **b == b'\n').count() as u64;
            self.newlines.set(self.newlines.get() + newlines);
        }
        self.inner.consume(amount);
    }
}
