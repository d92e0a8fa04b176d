/**
 * NANP area codes whose territory spans two time zones (or more), with the zones they span.
 * libphonenumber's time-zone data gives many of them one zone only — 850 (the Florida
 * panhandle is partly Central) only New York, 867 (Yukon, the Northwest Territories, Nunavut)
 * only Fort Nelson — which would let a call out an hour early or late on one side of the line.
 * The guard calls a number only when it is inside its window in every zone it may be in, so
 * adding a zone can only make a window stricter, never looser.
 *
 * From the area code maps of the North American Numbering Plan Administrator and the time zone
 * boundaries of the US (49 CFR part 71) and of the Canadian provinces, as of 2026; where a
 * territory's clock follows a neighbour's (Dawson Creek, Lloydminster, the Navajo Nation), the
 * neighbour's zone stands for it.
 */
export const SPLIT_AREA_CODES: Readonly<Record<string, readonly string[]>> = {
  // United States
  "219": ["America/Chicago", "America/New_York"], // northwest Indiana is Central
  "270": ["America/Chicago", "America/New_York"], // western Kentucky
  "364": ["America/Chicago", "America/New_York"],
  "308": ["America/Chicago", "America/Denver"], // western Nebraska
  "334": ["America/Chicago", "America/New_York"], // Phenix City, Alabama keeps Eastern time
  "423": ["America/New_York", "America/Chicago"], // eastern Tennessee
  "931": ["America/Chicago", "America/New_York"],
  "432": ["America/Chicago", "America/Denver"], // west Texas
  "458": ["America/Los_Angeles", "America/Boise"], // Malheur County, Oregon is Mountain
  "541": ["America/Los_Angeles", "America/Boise"],
  "574": ["America/New_York", "America/Chicago"], // northern Indiana
  "605": ["America/Chicago", "America/Denver"], // western South Dakota
  "606": ["America/New_York", "America/Chicago"], // eastern Kentucky
  "620": ["America/Chicago", "America/Denver"], // western Kansas
  "785": ["America/Chicago", "America/Denver"],
  "701": ["America/Chicago", "America/Denver"], // southwestern North Dakota
  "775": ["America/Los_Angeles", "America/Denver"], // West Wendover, Nevada is Mountain
  "812": ["America/New_York", "America/Chicago"], // southwestern Indiana
  "930": ["America/New_York", "America/Chicago"],
  "850": ["America/New_York", "America/Chicago"], // the Florida panhandle west of the Apalachicola is Central
  "906": ["America/New_York", "America/Chicago"], // Michigan's Upper Peninsula, four counties Central
  "928": ["America/Phoenix", "America/Denver"], // the Navajo Nation keeps daylight time
  // Canada
  "236": ["America/Vancouver", "America/Edmonton"], // northeastern British Columbia keeps Mountain time
  "250": ["America/Vancouver", "America/Edmonton"],
  "672": ["America/Vancouver", "America/Edmonton"],
  "778": ["America/Vancouver", "America/Edmonton"],
  "306": ["America/Regina", "America/Edmonton"], // Lloydminster keeps Alberta's time
  "639": ["America/Regina", "America/Edmonton"],
  "367": ["America/Toronto", "America/Halifax"], // the Magdalen Islands and Blanc-Sablon are Atlantic
  "418": ["America/Toronto", "America/Halifax"],
  "581": ["America/Toronto", "America/Halifax"],
  "709": ["America/St_Johns", "America/Goose_Bay"], // Labrador is Atlantic
  "807": ["America/Toronto", "America/Winnipeg"], // northwestern Ontario is Central
  "867": ["America/Whitehorse", "America/Edmonton", "America/Winnipeg", "America/Iqaluit"],
};
