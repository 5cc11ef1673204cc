// Writes straight to a file descriptor. The first touch of process.stdout or
// process.stderr builds a stream object (several ms), and a hook only ever
// writes a line or two. A non-blocking pipe that is full (EAGAIN) hands the
// rest to the stream, which waits for the reader; nothing is dropped.

let streaming = { 1: false, 2: false };

export function writeFd(fd: 1 | 2, text: string): void {
  // Looked up only when needed: the getter is what builds the stream.
  const stream = () => (fd === 1 ? process.stdout : process.stderr);
  if (streaming[fd]) {
    stream().write(text);
    return;
  }
  const fs = process.getBuiltinModule('node:fs');
  let bytes = Buffer.from(text, 'utf8');
  try {
    while (bytes.length > 0) bytes = bytes.subarray(fs.writeSync(fd, bytes));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    // From here on, keep the order: everything later goes through the stream too.
    streaming = { ...streaming, [fd]: true };
    stream().write(bytes);
  }
}
