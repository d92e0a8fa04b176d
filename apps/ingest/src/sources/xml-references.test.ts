import { describe, expect, it } from "vitest";
import { describeXmlReferenceProblem, findXmlReferenceProblem, xmlReferenceDecoder } from "./xml-references.js";

const inElement = (text: string) => `<a><b>${text}</b></a>`;

describe("findXmlReferenceProblem", () => {
  it.each([
    ["no references at all", inElement("+1 415 555 0132")],
    ["a decimal reference", inElement("&#43;1 415 555 0132")],
    ["a hex reference, lower-case digits", inElement("&#x2b;1")],
    ["a hex reference, upper-case digits", inElement("&#x2B;1")],
    ["an astral code point in decimal and hex", inElement("&#128512; &#x1F600;")],
    ["leading zeros", inElement("&#000000000000000000043;")],
    ["tab, line feed and carriage return", inElement("&#9;&#xA;&#13;")],
    ["the edges of the Char ranges", inElement("&#x20;&#xD7FF;&#xE000;&#xFFFD;&#x10000;&#x10FFFF;")],
    ["the five predefined entities", inElement("&lt;&gt;&amp;&apos;&quot;")],
    ["an escaped reference (text, not a reference)", inElement("&amp;#0;")],
    ["a reference in an attribute value", '<a b="&#43;1"/>'],
    ["an illegal reference inside CDATA (text there)", inElement("<![CDATA[&#0; & &copy;]]>")],
    ["an illegal reference inside a comment", "<a><!-- &#0; &copy; & --></a>"],
    ["an ampersand in a processing instruction", '<?xml version="1.0"?><?pi a&b?><a/>'],
  ])("accepts %s", (_why, xml) => {
    expect(findXmlReferenceProblem(xml)).toBeUndefined();
  });

  it.each([
    ["a null character", inElement("&#0;"), { kind: "illegal_character", reference: "&#0;", codePoint: 0 }],
    ["a null character in hex", inElement("&#x0;"), { kind: "illegal_character", reference: "&#x0;", codePoint: 0 }],
    ["a C0 control", inElement("&#1;"), { kind: "illegal_character", reference: "&#1;", codePoint: 1 }],
    ["the escape control", inElement("&#x1B;"), { kind: "illegal_character", reference: "&#x1B;", codePoint: 0x1b }],
    ["a lone high surrogate", inElement("&#xD800;"), { kind: "illegal_character", reference: "&#xD800;", codePoint: 0xd800 }],
    ["a lone low surrogate in decimal", inElement("&#57343;"), { kind: "illegal_character", reference: "&#57343;", codePoint: 0xdfff }],
    ["the noncharacter U+FFFE", inElement("&#xFFFE;"), { kind: "illegal_character", reference: "&#xFFFE;", codePoint: 0xfffe }],
    ["the noncharacter U+FFFF", inElement("&#65535;"), { kind: "illegal_character", reference: "&#65535;", codePoint: 0xffff }],
    ["one past U+10FFFF", inElement("&#x110000;"), { kind: "illegal_character", reference: "&#x110000;", codePoint: 0x110000 }],
    [
      "a number far out of range (quoted cut short)",
      inElement("&#14155550132;"),
      { kind: "illegal_character", reference: "&#141555…", codePoint: 14155550132 },
    ],
    ["an upper-case X", inElement("&#X2B;"), { kind: "malformed_reference", reference: "&#X2B;" }],
    ["hex digits without x", inElement("&#2B;"), { kind: "malformed_reference", reference: "&#2B;" }],
    ["an empty decimal reference", inElement("&#;"), { kind: "malformed_reference", reference: "&#;" }],
    ["an empty hex reference", inElement("&#x;"), { kind: "malformed_reference", reference: "&#x;" }],
    ["a reference without its semicolon", inElement("&#43 1"), { kind: "malformed_reference", reference: "&#43" }],
    ["a bare ampersand", inElement("a & b"), { kind: "malformed_reference", reference: "&" }],
    ["an HTML entity", inElement("&copy;"), { kind: "undeclared_entity", reference: "&copy;" }],
    ["a no-break space entity", inElement("&nbsp;"), { kind: "undeclared_entity", reference: "&nbsp;" }],
    ["an entity a DOCTYPE would have declared", inElement("&xxe;"), { kind: "undeclared_entity", reference: "&xxe;" }],
    ["an entity named like an Object property", inElement("&constructor;"), { kind: "undeclared_entity", reference: "&constru…" }],
    ["an entity named __proto__", inElement("&__proto__;"), { kind: "undeclared_entity", reference: "&__proto…" }],
    ["a reference after a closed comment", "<a><!-- x -->&#0;</a>", { kind: "illegal_character", reference: "&#0;", codePoint: 0 }],
    ["an illegal reference in an attribute value", '<a b="&#0;"/>', { kind: "illegal_character", reference: "&#0;", codePoint: 0 }],
    ["the first of several problems", inElement("&#43; &copy; &#0;"), { kind: "undeclared_entity", reference: "&copy;" }],
  ])("refuses %s", (_why, xml, problem) => {
    expect(findXmlReferenceProblem(xml)).toEqual(problem);
  });

  it("stays linear on a body of unterminated comments and CDATA openers (no quadratic rescans)", () => {
    const body = `<a>${"<!--<![CDATA[<?&#43;".repeat(100_000)}</a>`;
    const started = performance.now();
    expect(findXmlReferenceProblem(body)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("finds the one bad reference after 200 000 good ones", () => {
    const body = `<a>${"&#43;&amp;".repeat(100_000)}&#0;</a>`;
    const started = performance.now();
    expect(findXmlReferenceProblem(body)).toEqual({ kind: "illegal_character", reference: "&#0;", codePoint: 0 });
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe("describeXmlReferenceProblem", () => {
  it.each([
    [
      { kind: "illegal_character", reference: "&#0;", codePoint: 0 },
      '"&#0;" refers to U+0000, which is not an XML character (XML 1.0 §2.2, §4.1 Legal Character)',
    ],
    [
      { kind: "illegal_character", reference: "&#141555…", codePoint: 14155550132 },
      '"&#141555…" refers to a number beyond U+10FFFF, which is not an XML character (XML 1.0 §2.2, §4.1 Legal Character)',
    ],
    [
      { kind: "malformed_reference", reference: "&#X2B;" },
      '"&#X2B;" is not a well-formed reference: use &#NNN; or &#xHH; (XML 1.0 §4.1), or write & as &amp;',
    ],
    [
      { kind: "undeclared_entity", reference: "&copy;" },
      '"&copy;" is not one of the five predefined XML entities (XML 1.0 §4.6), and document type declarations are not accepted',
    ],
  ] as const)("%j", (problem, message) => {
    expect(describeXmlReferenceProblem(problem)).toBe(message);
  });
});

describe("xmlReferenceDecoder", () => {
  it.each([
    ["a decimal plus", "&#43;1 415 555 0132", "+1 415 555 0132"],
    ["a hex plus", "&#x2B;1 415 555 0132", "+1 415 555 0132"],
    ["a Latin-1 letter", "Jos&#233;", "José"],
    ["an astral code point in decimal", "&#128512;", "😀"],
    ["an astral code point in hex", "&#x1F600;", "😀"],
    ["the five predefined entities", "&lt;&gt;&amp;&apos;&quot;", "<>&'\""],
    ["one pass only: an escaped reference stays a reference's text", "&amp;#43;", "&#43;"],
    ["leading zeros", "&#00043;", "+"],
    ["invisible marks written as references", "&#x202D;+1&#x202C;", "\u202D+1\u202C"],
    ["text without references", "Ada", "Ada"],
  ])("decodes %s", (_why, text, decoded) => {
    expect(xmlReferenceDecoder.decode(text)).toBe(decoded);
  });

  it("never registers entities a document declares", () => {
    xmlReferenceDecoder.addInputEntities({ xxe: "expanded" });
    xmlReferenceDecoder.setExternalEntities({ ext: "expanded" });
    expect(xmlReferenceDecoder.decode("&xxe;&ext;")).toBe("&xxe;&ext;");
  });
});
