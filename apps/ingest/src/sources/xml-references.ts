import type { EntityDecoderOptions } from "fast-xml-parser";

/**
 * XML references in Salesforce Outbound Messages. XML 1.0 §4.1 defines character references,
 * decimal `&#NNN;` and hexadecimal `&#xHH;` (lower-case x only), which must name a character
 * the `Char` production of §2.2 allows ("WFC: Legal Character"); §4.6 predefines five entity
 * references (`&lt; &gt; &amp; &apos; &quot;`) and, as we refuse document type declarations,
 * no other entity can be declared ("WFC: Entity Declared"). Salesforce, like any XML writer, may
 * escape any character this way (`&#43;` for "+"), so every text value must be decoded.
 *
 * fast-xml-parser decodes numeric references only with its deprecated `htmlEntities` flag (which
 * also decodes HTML's named entities) or through its `entityDecoder` hook; its validator does not
 * check what a reference refers to (`&#0;`, `&#x110000;` and `&copy;` pass it). So the document
 * is first checked here, and then decoded through the hook by `xmlReferenceDecoder`.
 */
export type XmlReferenceProblem =
  | { readonly kind: "malformed_reference"; readonly reference: string }
  | { readonly kind: "illegal_character"; readonly reference: string; readonly codePoint: number }
  | { readonly kind: "undeclared_entity"; readonly reference: string };

/** The first reference in the document that XML 1.0 does not allow, or undefined when all are well-formed. */
export function findXmlReferenceProblem(xml: string): XmlReferenceProblem | undefined {
  const marks = /[&<]/g;
  for (let mark = marks.exec(xml); mark !== null; mark = marks.exec(xml)) {
    const at = mark.index;
    if (xml[at] === "<") {
      // CDATA sections, comments and processing instructions hold no references: skip them whole.
      // An unterminated one ends the scan (the validator refuses the document); scanning on from
      // each such opener would be quadratic in a body made of them.
      const close = SKIPPED.find(([open]) => xml.startsWith(open, at))?.[1];
      if (close === undefined) continue;
      const end = xml.indexOf(close, at + 2);
      if (end === -1) return undefined;
      marks.lastIndex = end + close.length;
      continue;
    }
    REFERENCE.lastIndex = at;
    const reference = REFERENCE.exec(xml);
    if (!reference) return { kind: "malformed_reference", reference: excerpt(MALFORMED.exec(xml.slice(at, at + 12))?.[0] ?? "&") };
    const [text, hex, decimal, name] = reference;
    if (name !== undefined) {
      if (!Object.hasOwn(PREDEFINED_ENTITIES, name)) return { kind: "undeclared_entity", reference: excerpt(text) };
      continue;
    }
    const codePoint = hex !== undefined ? Number.parseInt(hex, 16) : Number(decimal);
    if (!isXmlChar(codePoint)) return { kind: "illegal_character", reference: excerpt(text), codePoint };
  }
  return undefined;
}

/** The 400 message for a problem: says what is wrong and which rule says so. */
export function describeXmlReferenceProblem(problem: XmlReferenceProblem): string {
  switch (problem.kind) {
    case "malformed_reference":
      return `"${problem.reference}" is not a well-formed reference: use &#NNN; or &#xHH; (XML 1.0 §4.1), or write & as &amp;`;
    case "illegal_character":
      return `"${problem.reference}" refers to ${codePointName(problem.codePoint)}, which is not an XML character (XML 1.0 §2.2, §4.1 Legal Character)`;
    case "undeclared_entity":
      return `"${problem.reference}" is not one of the five predefined XML entities (XML 1.0 §4.6), and document type declarations are not accepted`;
  }
}

/**
 * fast-xml-parser's `entityDecoder` hook, decoding what XML defines and nothing else. Run only on
 * documents `findXmlReferenceProblem` passed. Entities a document declares are never registered:
 * the DOCTYPE guard refuses them before parsing, and this decoder ignores them if one got through.
 */
export const xmlReferenceDecoder: EntityDecoderOptions = {
  decode: (text) =>
    text.replace(DECODABLE, (whole, hex: string | undefined, decimal: string | undefined, name: string | undefined) => {
      if (name !== undefined) return PREDEFINED_ENTITIES[name as keyof typeof PREDEFINED_ENTITIES];
      const codePoint = hex !== undefined ? Number.parseInt(hex, 16) : Number(decimal);
      return isXmlChar(codePoint) ? String.fromCodePoint(codePoint) : whole;
    }),
  setExternalEntities: () => {},
  addInputEntities: () => {},
  reset: () => {},
  setXmlVersion: () => {},
};

/** XML 1.0 §4.6. */
const PREDEFINED_ENTITIES = { lt: "<", gt: ">", amp: "&", apos: "'", quot: '"' } as const;

/** Markup that cannot hold references, as [opener, closer]. */
const SKIPPED: readonly (readonly [string, string])[] = [
  ["<![CDATA[", "]]>"],
  ["<!--", "-->"],
  ["<?", "?>"],
];

/** XML 1.0 [66] CharRef and [68] EntityRef (Name simplified to the ASCII NameChars), at `lastIndex`. */
const REFERENCE = /&(?:#x([0-9a-fA-F]+)|#([0-9]+)|([A-Za-z_:][-A-Za-z0-9._:]*));/y;

/** What to quote of a malformed reference: the ampersand up to the end of the would-be reference. */
const MALFORMED = /^&[^\s<&;]*;?/;

const DECODABLE = /&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(lt|gt|amp|apos|quot));/g;

/** XML 1.0 [2] Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. */
function isXmlChar(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

function codePointName(codePoint: number): string {
  return codePoint > 0x10ffff ? "a number beyond U+10FFFF" : `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Quoted references are cut to 10 characters: every legal character reference fits (`&#1114111;`),
 * and a field value (a phone number written as one long "reference") is never echoed whole.
 */
function excerpt(text: string): string {
  return text.length <= 10 ? text : `${text.slice(0, 8)}…`;
}
