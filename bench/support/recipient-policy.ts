import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A recipient policy whose calling window is open all day, every day: the guard does all its
 * work (the number's zones, the window, the counted calls) and the hour of a run does not
 * decide what is measured. Written once to a temporary file; returns its path.
 */
export function allDayPolicyFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), "bench-policy-")), "recipient-policy.yaml");
  writeFileSync(
    file,
    'kind: recipient-policy\nversion: 1\ncalling_window:\n  hours: [{ days: [mon, tue, wed, thu, fri, sat, sun], from: "00:00", to: "24:00" }]\n',
  );
  return file;
}
