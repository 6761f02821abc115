"use fiber";
// A resumable CSV parser fed its input in chunks, as it arrives from a
// socket, a stream or a file read piece by piece. The parser is ordinary
// recursive-descent code that reads one character at a time; when the
// current chunk runs out, even in the middle of a quoted field or of a `""`
// escape, `nextChar()` switches back to the code feeding it and waits there
// for the next chunk. No state machine, no re-scanning of partial input.
// Runs in any engine once compiled with the plugin (no Node APIs).
import { Fiber, current } from "fiberlet";

/** Marks the end of the input (after end()). */
const EOF = null;

/** A CSV syntax error, with the line and column where it was found. */
export class CsvError extends Error {
  constructor(message, line, column) {
    super(`${message} at line ${line}, column ${column}`);
    this.name = "CsvError";
  }
}

/**
 * `const parser = new CsvParser(); parser.write(chunk)` returns the records
 * completed by that chunk; `parser.end()` returns the last ones. A record is
 * an array of field strings (RFC 4180: fields in double quotes may hold
 * commas, line breaks and `""` for a quote; lines end in \n or \r\n).
 */
export class CsvParser {
  constructor() {
    this.chunk = "";
    this.pos = 0;
    this.ended = false;
    this.line = 1;
    this.column = 0;
    this.records = []; // completed since the last write()
    this.feeder = null; // the fiber that called write(): where to ask for more
    this.fiber = new Fiber(() => this.parseFile());
  }

  write(chunk) {
    if (this.ended) throw new Error("write() after end()");
    this.chunk = chunk;
    this.pos = 0;
    return this.resume();
  }

  end() {
    this.ended = true;
    return this.resume();
  }

  /** Runs the parser until it has used up the chunk (or finished). */
  resume() {
    this.feeder = current();
    if (this.fiber.isAlive()) {
      // The parser ends (or throws a CsvError) into whoever feeds it now.
      this.fiber.parent = this.feeder;
      this.fiber.switch();
    }
    const done = this.records;
    this.records = [];
    return done;
  }

  // The parser. Everything below runs in the parser's fiber.

  /** The next character, waiting for input when the chunk is used up;
   * EOF after end(). */
  nextChar() {
    while (this.pos >= this.chunk.length) {
      if (this.ended) return EOF;
      this.feeder.switch(); // back to write(), which returns; the next write() resumes here
    }
    const c = this.chunk[this.pos++];
    if (c === "\n") {
      this.line++;
      this.column = 0;
    } else this.column++;
    return c;
  }

  peekChar() {
    const { line, column } = this;
    const c = this.nextChar();
    if (c !== EOF) {
      this.pos--; // still in this chunk: nextChar just read it from there
      this.line = line;
      this.column = column;
    }
    return c;
  }

  parseFile() {
    while (this.peekChar() !== EOF) {
      // Not `this.records.push(this.parseRecord())`: that reads
      // this.records before parsing, and the record may end several writes
      // later, when write() has handed that array out and started another.
      const record = this.parseRecord();
      this.records.push(record);
    }
  }

  parseRecord() {
    const fields = [this.parseField()];
    for (;;) {
      const c = this.nextChar();
      if (c === ",") fields.push(this.parseField());
      else if (c === "\n" || c === EOF) return fields;
      else if (c === "\r" && this.peekChar() === "\n") {
        this.nextChar();
        return fields;
      }
      else throw new CsvError(`unexpected ${JSON.stringify(c)} after a field`, this.line, this.column);
    }
  }

  parseField() {
    return this.peekChar() === '"' ? this.parseQuoted() : this.parsePlain();
  }

  parsePlain() {
    let text = "";
    for (let c = this.peekChar(); c !== EOF && c !== "," && c !== "\n" && c !== "\r"; c = this.peekChar()) {
      if (c === '"') throw new CsvError("quote inside an unquoted field", this.line, this.column + 1);
      text += this.nextChar();
    }
    return text;
  }

  parseQuoted() {
    const line = this.line;
    const column = this.column + 1;
    this.nextChar(); // the opening quote
    let text = "";
    for (;;) {
      const c = this.nextChar();
      if (c === EOF) throw new CsvError("unterminated quoted field", line, column);
      if (c !== '"') text += c;
      else if (this.peekChar() === '"') text += this.nextChar(); // "" is one quote
      else return text;
    }
  }
}

/** Feeds `text` to a parser in chunks of `size` characters. */
export function parseInChunks(text, size) {
  const parser = new CsvParser();
  const records = [];
  for (let i = 0; i < text.length; i += size) records.push(...parser.write(text.slice(i, i + size)));
  records.push(...parser.end());
  return records;
}

const SAMPLE =
  'name,quote,year\r\n' +
  'Ada,"Analytical ""engine""",1843\r\n' +
  'Grace,"It\'s easier to ask forgiveness,\nthan permission",1986\r\n' +
  'Alan,,1936\n';

export function main() {
  const whole = parseInChunks(SAMPLE, SAMPLE.length);
  // Every split point, including inside the `""` escapes, the quoted line
  // break and the \r\n, gives the same records.
  const sizes = [1, 2, 3, 5, 7, 16];
  const sameForEverySize = sizes.every((size) => JSON.stringify(parseInChunks(SAMPLE, size)) === JSON.stringify(whole));
  // The records of each write(), as a stream consumer sees them.
  const parser = new CsvParser();
  const perWrite = ['a,"b', '""c",d\n1', ",2,3\n", ""].map((chunk) => parser.write(chunk));
  perWrite.push(parser.end());
  let error;
  try {
    parseInChunks('x,"never closed\n', 4);
  } catch (e) {
    error = `${e.name}: ${e.message}`;
  }
  return { records: whole, sizes, sameForEverySize, perWrite, error };
}
