/**
 * Whether a container engine answers. We ask the runtime through testcontainers (which tries
 * DOCKER_HOST, the unix socket, rootless sockets, ...) rather than look for a `docker` binary:
 * our CI machines have the client and no engine. `CALLBRIDGE_CONTAINERS=off` skips the probe.
 */
export async function containerRuntimeAvailable(env: Record<string, string | undefined>, timeoutMs = 5_000): Promise<boolean> {
  if (env.CALLBRIDGE_CONTAINERS === "off") return false;
  try {
    const { getContainerRuntimeClient } = await import("testcontainers");
    const probe = getContainerRuntimeClient().then(() => true);
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
    return await Promise.race([probe, timeout]);
  } catch {
    return false;
  }
}
