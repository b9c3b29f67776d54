/**
 * SVG → PDF with the figure as vectors (pdfkit draws, svg-to-pdfkit translates the
 * SVG's paths, rects and polylines into pdfkit calls). The page is the SVG's size in
 * points. Dates and ids are fixed so the same SVG gives the same bytes.
 */
import { createRequire } from 'node:module';

export interface PdfOptions {
  /** Points per SVG user unit (1 keeps 1 px = 1 pt). */
  readonly scale?: number;
  readonly title?: string;
}

type PdfDocument = PDFKit.PDFDocument;
type SvgToPdfKit = (doc: PdfDocument, svg: string, x: number, y: number, options?: { width?: number; height?: number; assumePt?: boolean }) => void;

export function svgToPdf(svg: string, options: PdfOptions = {}): Promise<Uint8Array> {
  const require = createRequire(import.meta.url);
  const PDFDocument = require('pdfkit') as typeof import('pdfkit');
  const svgToPdfKit = require('svg-to-pdfkit') as SvgToPdfKit;
  const viewBox = /viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"/.exec(svg);
  const scale = options.scale ?? 1;
  const width = (viewBox ? Number(viewBox[3]) : 600) * scale;
  const height = (viewBox ? Number(viewBox[4]) : 400) * scale;
  const fixedDate = new Date(Date.UTC(2000, 0, 1));
  const doc = new PDFDocument({
    size: [width, height],
    margin: 0,
    autoFirstPage: true,
    compress: true,
    info: { Title: options.title ?? '', Producer: 'gateflow', Creator: 'gateflow', CreationDate: fixedDate, ModDate: fixedDate },
  }) as PdfDocument;
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Uint8Array>((resolve, reject) => {
    doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on('error', reject);
  });
  svgToPdfKit(doc, svg, 0, 0, { width, height, assumePt: true });
  doc.end();
  return done;
}
