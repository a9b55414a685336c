// The demo's transcript: a workspace pod made through CRI the way kubelet
// makes it, and what wsruntimed says about its container, step by step. The
// pod is removed in every case; only a second Ctrl-C can leave it behind.

import { randomBytes, randomUUID } from 'node:crypto';
import { lstat, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { throwIfAborted } from 'abort-controller-x';
import { createRuntimeClient, isAbortError, RuntimeUnavailableError, type RuntimeClient } from '../client/index.js';
import { Kubelet, type Sandbox } from '../devstack/kubelet.js';
import type { DemoOptions } from './demo-options.js';

// What the daemon looks for by default: the pod label holding the instance
// id and the name of the workspace container.
const instanceLabel = 'gitpod.io/instanceID';
const workspaceContainer = 'workspace';
const stepTimeoutMs = 60_000;

const say = (line = '') => process.stdout.write(`${line}\n`);
const since = (start: number) => `${((performance.now() - start) / 1000).toFixed(2)} s`;
const short = (id: string) => `${id.slice(0, 12)}…`;
/** One question to the daemon, as the wsruntimectl command that asks it. */
const ask = (command: string, answer: unknown, meaning: string) => {
  say(`   $ wsruntimectl ${`${command} $ID`.padEnd(14)} -> ${String(answer)}`);
  say(`     ${meaning}`);
};

export async function runDemo(options: DemoOptions, signal: AbortSignal): Promise<void> {
  const client = createRuntimeClient({ socket: options.socket });
  const logRoot = await mkdtemp(path.join(tmpdir(), 'wsruntime-demo-'));
  const kubelet = new Kubelet(options.containerdAddress, logRoot);
  let sandbox: Sandbox | undefined;
  let containerId: string | undefined;
  try {
    await preflight(client, kubelet, signal);
    const instanceId = `demo-${randomBytes(4).toString('hex')}`;
    const call = { signal, deadline: stepTimeoutMs };

    say('wsruntime demo: one workspace pod, seen through wsruntimed');
    say(`  daemon      ${client.address}`);
    say(`  containerd  ${options.containerdAddress} (CRI, namespace k8s.io)`);
    say();
    say('A node agent (like Gitpod\'s ws-daemon) knows a workspace only by its instance id.');
    say('It asks wsruntimed to find the container, even before the pod exists.');
    say();
    say(`1) Wait for the workspace container of instance ${instanceId}`);
    say(`   $ wsruntimectl wait ${instanceId}`);
    const waitStarted = performance.now();
    const waiting = client.waitForContainer(instanceId, call);
    waiting.catch(() => undefined); // awaited below; do not let an early failure go unhandled

    say();
    say('2) Meanwhile, create the pod the way kubelet does (RunPodSandbox, CreateContainer, StartContainer)');
    const pod = { name: `ws-${instanceId}`, namespace: 'default', uid: randomUUID(), labels: { [instanceLabel]: instanceId } };
    // Not given the signal: a Ctrl-C must not leave a pod we do not know the id of.
    sandbox = await kubelet.runPodSandbox(pod);
    containerId = await kubelet.createContainer(sandbox, { name: workspaceContainer, command: ['sleep', '2147483647'] });
    await kubelet.startContainer(containerId);
    throwIfAborted(signal);
    say(`   pod ${pod.namespace}/${pod.name}, label ${instanceLabel}=${instanceId}, container "${workspaceContainer}" (busybox)`);
    const found = await waiting;
    say(`   -> the wait returned after ${since(waitStarted)}: ID=${found}`);
    if (found !== containerId) throw new Error(`the daemon found ${found}, but CRI made ${containerId}`);

    say();
    say('3) What the node agent needs to work on that container');
    const pid = await client.containerPID(found, call);
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').join(' ').trim();
    ask('pid', pid, `its init process on the node${cmdline ? ` (/proc/${pid}/cmdline: ${cmdline})` : ''}; nsenter -t ${pid} enters its namespaces`);
    const cgroup = await client.containerCGroupPath(found, call);
    ask('cgroup', cgroup, 'its cgroup, below /sys/fs/cgroup/<controller> (v1) or /sys/fs/cgroup (v2): limits, accounting');
    const rootfs = await client.containerRootfs(found, call);
    ask('rootfs', rootfs, "the container's / as this process can reach it");
    const upperdir = await client.containerUpperdir(found, call);
    ask('upperdir', upperdir, "the overlay's writable layer: exactly what the workspace changed");

    say();
    say("4) Write a file through the rootfs; it lands in the upperdir (the image's files do not)");
    const name = 'hello-from-wsruntime.txt';
    await writeFile(path.join(rootfs, name), `written by the wsruntime demo into ${instanceId}\n`);
    const seen = await readFile(path.join(upperdir, name), 'utf8');
    say(`   wrote ${path.join(rootfs, name)}`);
    say(`   found ${path.join(upperdir, name)}: ${JSON.stringify(seen.trim())}`);
    const exists = (p: string) => lstat(p).then(() => true, () => false);
    const inRootfs = await exists(path.join(rootfs, 'bin', 'busybox'));
    const inUpperdir = await exists(path.join(upperdir, 'bin', 'busybox'));
    say(`   /bin/busybox, from the image: ${inRootfs ? 'in' : 'not in'} the rootfs, ${inUpperdir ? 'in' : 'not in'} the upperdir`);

    say();
    say('5) Wait for the container to go, and delete the pod');
    say(`   $ wsruntimectl wait-stop ${instanceId}`);
    const stopStarted = performance.now();
    const stopping = client.waitForContainerStop(instanceId, call);
    stopping.catch(() => undefined);
    await removePod(kubelet, sandbox, containerId);
    sandbox = undefined;
    await stopping;
    say(`   -> wait-stop returned ${since(stopStarted)} after the removal began: the container is gone`);
    ask('exists', await client.containerExists(found, call), 'containerd no longer knows it');
    say();
    say('Done; nothing left behind. Try it yourself: wsruntimectl --help');
  } finally {
    if (sandbox) {
      say(`wsruntime demo: removing pod sandbox ${short(sandbox.id)}`);
      await removePod(kubelet, sandbox, containerId).catch((error: unknown) => {
        process.stderr.write(`wsruntime demo: could not remove pod sandbox ${sandbox!.id} (crictl rmp -f ${sandbox!.id}): ${String(error)}\n`);
      });
    }
    client.close();
    await rm(logRoot, { recursive: true, force: true });
  }
}

async function removePod(kubelet: Kubelet, sandbox: Sandbox, containerId: string | undefined): Promise<void> {
  if (containerId) await kubelet.removeContainer(containerId);
  await kubelet.removePodSandbox(sandbox.id);
}

/** Fails early, with advice, when the daemon or containerd is not there. */
async function preflight(client: RuntimeClient, kubelet: Kubelet, signal: AbortSignal): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run the demo as root: it writes into a container rootfs');
  try {
    await client.containerExists('wsruntime-demo-preflight', { signal, deadline: 5_000 });
  } catch (error) {
    if (!(error instanceof RuntimeUnavailableError)) throw error;
    throw new Error(`no answer from wsruntimed at ${client.address} (${reason(error)}); start it with 'npm start', or pass --socket`);
  }
  try {
    await kubelet.version(signal);
  } catch (error) {
    if (isAbortError(error)) throw error;
    throw new Error(`no CRI answer from containerd at ${kubelet.address} (${reason(error)}); pass --containerd-address`);
  }
}

// grpc-js ends connection errors with an empty "Resolution note:".
function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\.?\s*Resolution note:\s*$/, '');
}
