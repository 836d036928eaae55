import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// pdf-parse wraps pdf.js, which loads its worker through import(); jest's CommonJS runtime cannot run
// that, so the parsing happens in a plain Node child process instead.
const PDF_PARSE = require.resolve('pdf-parse');
const EXTRACT_SCRIPT = `
const { readFileSync } = require('node:fs');
const { PDFParse } = require(process.argv[1]);
(async () => {
  const parser = new PDFParse({ data: new Uint8Array(readFileSync(process.argv[2])) });
  const { text, total } = await parser.getText();
  const { info } = await parser.getInfo();
  await parser.destroy();
  process.stdout.write(JSON.stringify({ text, title: info && info.Title, pages: total }));
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;

export interface Extracted {
  text: string;
  title: unknown;
  pages: number;
}

/** Parses the PDF for real: pdfkit deflates its content streams, so the raw bytes hold no readable text. */
export function extractPdfText(pdf: Buffer): Extracted {
  const dir = mkdtempSync(join(tmpdir(), 'invoice-pdf-'));
  try {
    const file = join(dir, 'invoice.pdf');
    writeFileSync(file, pdf);
    const child = spawnSync(process.execPath, ['-e', EXTRACT_SCRIPT, PDF_PARSE, file], { encoding: 'utf8', timeout: 20_000 });
    if (child.status !== 0) throw new Error(`PDF text extraction failed: ${child.error?.message ?? child.stderr}`);
    return JSON.parse(child.stdout) as Extracted;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
