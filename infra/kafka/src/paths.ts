import { homedir } from "node:os";
import { join } from "node:path";

/** Everything downloaded or run lives outside the repository, under one cache root. */
export function cacheRoot(env: Record<string, string | undefined>): string {
  return env.CALLBRIDGE_CACHE ?? join(homedir(), ".cache", "callbridge");
}

export interface KafkaPaths {
  /** Maven's local repository for our downloads only. */
  readonly mavenRepo: string;
  readonly versionDir: string;
  readonly jarsDir: string;
  readonly pomFile: string;
  /** Class-data-sharing archive: halves JVM start-up once written. */
  readonly cdsArchive: string;
  readonly instanceDir: (name: string) => string;
}

export function kafkaPaths(root: string, version: string): KafkaPaths {
  const kafkaDir = join(root, "kafka");
  const versionDir = join(kafkaDir, version);
  return {
    mavenRepo: join(root, "m2"),
    versionDir,
    jarsDir: join(versionDir, "jars"),
    pomFile: join(versionDir, "pom.xml"),
    cdsArchive: join(versionDir, `kafka-${version}.jsa`),
    instanceDir: (name) => join(kafkaDir, "instances", name),
  };
}
