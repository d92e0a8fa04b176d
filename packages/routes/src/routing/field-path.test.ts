import { describe, expect, it } from "vitest";
import { valueAt } from "./field-path.js";

const event = {
  subscriptionType: "contact.propertyChange",
  portalId: 62515,
  optedOut: false,
  nothing: null,
  properties: { phone: { value: "+14155550142" }, firstname: "Ada" },
  data: { phones: [{ value: "+442079460958", primary: false }, { value: "(415) 555-0142" }] },
  list: ["a", "b", "c"],
};

describe("valueAt", () => {
  it("reads a top-level field", () => {
    expect(valueAt(event, "subscriptionType")).toBe("contact.propertyChange");
  });

  it("reads a nested field through dotted steps", () => {
    expect(valueAt(event, "properties.phone.value")).toBe("+14155550142");
  });

  it("returns whole objects and arrays, not only leaves", () => {
    expect(valueAt(event, "properties.phone")).toEqual({ value: "+14155550142" });
    expect(valueAt(event, "data.phones")).toHaveLength(2);
  });

  it("indexes arrays by number", () => {
    expect(valueAt(event, "data.phones.1.value")).toBe("(415) 555-0142");
    expect(valueAt(event, "list.0")).toBe("a");
    expect(valueAt(event, "list.2")).toBe("c");
  });

  it("keeps falsy values such as false, 0 and null as they are", () => {
    expect(valueAt(event, "optedOut")).toBe(false);
    expect(valueAt({ count: 0 }, "count")).toBe(0);
    expect(valueAt(event, "nothing")).toBeNull();
  });

  it.each([
    ["a missing top-level field", "mobilephone"],
    ["a missing nested field", "properties.mobilephone.value"],
    ["an index past the end of an array", "data.phones.5.value"],
    ["a non-numeric step into an array", "data.phones.first"],
    ["a negative index", "list.-1"],
    ["an array property name rather than an element", "list.length"],
  ])("returns undefined for %s", (_why, path) => {
    expect(valueAt(event, path)).toBeUndefined();
  });

  it.each([
    ["a string", "properties.firstname.length"],
    ["a number", "portalId.value"],
    ["a boolean", "optedOut.value"],
    ["null", "nothing.value"],
  ])("returns undefined when stepping into %s", (_why, path) => {
    expect(valueAt(event, path)).toBeUndefined();
  });

  it.each([
    ["null", null],
    ["undefined", undefined],
    ["a string", "+14155550142"],
    ["a number", 42],
  ])("returns undefined when the root is %s", (_why, root) => {
    expect(valueAt(root, "phone")).toBeUndefined();
  });

  it("can read from an array at the root, as for batched webhooks", () => {
    expect(valueAt([{ objectId: 1 }, { objectId: 2 }], "1.objectId")).toBe(2);
  });
});
