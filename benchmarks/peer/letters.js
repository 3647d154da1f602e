// pdfmake 0.3.11 renders objector's letters (exported by run.py as JSON lines)
// in the same layout: A4 DIN 5008 form B (US Letter where objector uses it),
// DejaVu Serif 10.5 pt body, DejaVu Sans window and information block, the
// reference and "Page x / y" on every page, one PDF per letter.
// Usage: node letters.js LETTERS.jsonl OUT_DIR K N   (renders every N-th letter from the K-th)
"use strict";
const fs = require("fs");
const path = require("path");
const pdfmake = require("pdfmake");

const FONTS = "/usr/share/fonts/truetype/dejavu/";
pdfmake.setFonts({
  DejaVuSerif: { normal: FONTS + "DejaVuSerif.ttf", bold: FONTS + "DejaVuSerif-Bold.ttf",
                 italics: FONTS + "DejaVuSerif-Italic.ttf", bolditalics: FONTS + "DejaVuSerif-BoldItalic.ttf" },
  DejaVuSans: { normal: FONTS + "DejaVuSans.ttf", bold: FONTS + "DejaVuSans-Bold.ttf",
                italics: FONTS + "DejaVuSans-Oblique.ttf", bolditalics: FONTS + "DejaVuSans-BoldOblique.ttf" },
});
// The fonts are local files: pdfmake 0.3 refuses local access unless allowed.
pdfmake.setLocalAccessPolicy(() => true);
// No network: nothing in these letters is fetched.
pdfmake.setUrlAccessPolicy(() => false);

const MM = 72 / 25.4;

function definition(letter) {
  const us = letter.layout === "us-letter";
  // objector's letter.css, in points: page margins, window and information block.
  const margins = us ? [72, 54, 72, 57.6] : [25 * MM, 20 * MM, 20 * MM, 22 * MM];
  const windowAt = us ? { x: 63, y: 54 + 90 } : { x: 20 * MM, y: 45 * MM };
  const windowWidth = us ? 288 : 85 * MM;
  const infoAt = us ? { x: 72 + 4.4 * 72, y: 54 } : { x: 125 * MM, y: 20 * MM };
  const infoWidth = us ? 2.1 * 72 : 65 * MM;
  const letterheadHeight = us ? 3.1 * 72 : 78 * MM;
  const body = [];
  for (const [kind, texts] of letter.groups) {
    if (kind === "ol" || kind === "ul") {
      body.push({ [kind]: texts.map((t) => ({ text: t, alignment: "justify", margin: [0, 0, 0, 2.6 * MM] })),
                  margin: [6 * MM, 0, 0, 2.6 * MM] });
    } else if (kind === "signature") {
      body.push({ stack: [{ text: texts[0], margin: [0, 0, 0, 14 * MM] }, { text: texts[1] }],
                  unbreakable: true });
    } else {
      for (const t of texts) body.push({ text: t, alignment: "justify", margin: [0, 0, 0, 2.6 * MM] });
    }
  }
  return {
    pageSize: us ? "LETTER" : "A4",
    pageMargins: margins,
    info: { title: letter.subject, author: letter.author, subject: letter.description, keywords: letter.keywords },
    language: letter.lang,
    defaultStyle: { font: "DejaVuSerif", fontSize: 10.5, lineHeight: 1.42 * 0.86 },
    footer: (page, pages) => ({
      columns: [
        { text: letter.reference_line, font: "DejaVuSans", fontSize: 7.5, color: "#444" },
        { text: `${letter.page_label} ${page} / ${pages}`, font: "DejaVuSans", fontSize: 8, color: "#444",
          alignment: "right" },
      ],
      margin: [margins[0], 6 * MM, margins[2], 0],
    }),
    content: [
      { stack: [
          { text: letter.return_line, font: "DejaVuSans", fontSize: 7, lineHeight: 1, margin: [0, 0, 0, 1.5 * MM] },
          { canvas: [{ type: "line", x1: 0, y1: 0, x2: windowWidth, y2: 0, lineWidth: 0.3, lineColor: "#666" }] },
          { text: letter.recipient.join("\n"), fontSize: 10.5, lineHeight: 1.2, margin: [0, 1 * MM, 0, 0] },
        ], absolutePosition: windowAt, width: windowWidth },
      { stack: [
          { text: letter.sender.join("\n"), margin: [0, 0, 0, 3 * MM] },
          { text: letter.date_text, margin: [0, 0, 0, 3 * MM] },
          { text: letter.reference_line },
        ], font: "DejaVuSans", fontSize: 8.5, lineHeight: 1.1, absolutePosition: infoAt, width: infoWidth },
      { text: "", margin: [0, letterheadHeight, 0, 0] },
      { text: letter.subject, bold: true, margin: [0, 0, 0, 5 * MM] },
      ...body,
    ],
  };
}

async function main() {
  const [file, out, k, n] = process.argv.slice(2);
  const letters = fs.readFileSync(file, "utf8").split("\n").filter(Boolean);
  fs.mkdirSync(out, { recursive: true });
  let done = 0;
  let pages = 0;
  for (let i = Number(k) - 1; i < letters.length; i += Number(n)) {
    const letter = JSON.parse(letters[i]);
    const def = definition(letter);
    let count = 0;
    const footer = def.footer;
    def.footer = (page, total) => { count = total; return footer(page, total); };
    const buffer = await pdfmake.createPdf(def).getBuffer();
    fs.writeFileSync(path.join(out, `${letter.reference}.pdf`), buffer);
    done += 1;
    pages += count;
  }
  process.stdout.write(JSON.stringify({ letters: done, pages }) + "\n");
}

main().catch((err) => { console.error(err); process.exit(1); });
