"use fiber";
// No-switch overhead on a realistic program: Martin Richards' operating
// system simulation (the BCPL benchmark later carried by Octane), ported
// here from the algorithm's description. Six tasks (one idle task, one
// worker, two packet handlers, two devices) exchange packets through a
// priority scheduler; the run is checked against the algorithm's known
// queue and hold counts. Polymorphic method calls, linked lists and small
// objects: the shape of ordinary application code, never a fiber switch.

const IDLE = 0;
const WORKER = 1;
const HANDLER_A = 2;
const HANDLER_B = 3;
const DEVICE_A = 4;
const DEVICE_B = 5;
const TASK_COUNT = 6;

const DEVICE_PACKET = 0;
const WORK_PACKET = 1;
const PAYLOAD_SIZE = 4;

// A task control block's state is three flags; "running" is none of them.
const HAS_PACKETS = 1;
const WAITING = 2;
const HELD = 4;

const IDLE_ROUNDS = 1000;
const EXPECTED_QUEUED = 2322;
const EXPECTED_HELD = 928;

class Packet {
  constructor(next, destination, kind) {
    this.next = next;
    this.destination = destination;
    this.kind = kind;
    this.count = 0;
    this.payload = new Array(PAYLOAD_SIZE).fill(0);
  }

  // Appends this packet to the end of `queue` and returns the queue's head.
  appendTo(queue) {
    this.next = null;
    if (queue === null) return this;
    let last = queue;
    while (last.next !== null) last = last.next;
    last.next = this;
    return queue;
  }
}

class TaskControlBlock {
  constructor(next, id, priority, queue, task) {
    this.next = next;
    this.id = id;
    this.priority = priority;
    this.queue = queue;
    this.task = task;
    this.state = queue === null ? WAITING : WAITING | HAS_PACKETS;
  }

  blocked() {
    return (this.state & HELD) !== 0 || this.state === WAITING;
  }

  hold() {
    this.state |= HELD;
  }

  release() {
    this.state &= ~HELD;
  }

  wait() {
    this.state |= WAITING;
  }

  // Takes the first queued packet if the task was waiting for one, then runs
  // the task; returns the control block to run next.
  run() {
    let packet = null;
    if (this.state === (WAITING | HAS_PACKETS)) {
      packet = this.queue;
      this.queue = packet.next;
      this.state = this.queue === null ? 0 : HAS_PACKETS;
    }
    return this.task.run(packet);
  }

  // Delivers a packet to this task on behalf of `sender`; returns whichever
  // of the two should run next.
  deliver(sender, packet) {
    if (this.queue === null) {
      this.queue = packet;
      this.state |= HAS_PACKETS;
      if (this.priority > sender.priority) return this;
    } else {
      this.queue = packet.appendTo(this.queue);
    }
    return sender;
  }
}

class Scheduler {
  constructor() {
    this.queued = 0;
    this.held = 0;
    this.blocks = new Array(TASK_COUNT).fill(null);
    this.list = null;
    this.current = null;
    this.currentId = -1;
  }

  add(id, priority, queue, task) {
    this.current = new TaskControlBlock(this.list, id, priority, queue, task);
    this.list = this.current;
    this.blocks[id] = this.current;
  }

  schedule() {
    this.current = this.list;
    while (this.current !== null) {
      if (this.current.blocked()) {
        this.current = this.current.next;
      } else {
        this.currentId = this.current.id;
        this.current = this.current.run();
      }
    }
  }

  wake(id) {
    const block = this.blocks[id];
    if (block === null) return block;
    block.release();
    return block.priority > this.current.priority ? block : this.current;
  }

  holdCurrent() {
    this.held++;
    this.current.hold();
    return this.current.next;
  }

  waitCurrent() {
    this.current.wait();
    return this.current;
  }

  send(packet) {
    const target = this.blocks[packet.destination];
    if (target === null) return target;
    this.queued++;
    packet.next = null;
    packet.destination = this.currentId;
    return target.deliver(this.current, packet);
  }
}

// Wakes the two devices alternately, in a pseudo-random order, until its
// round budget is spent.
class IdleTask {
  constructor(scheduler, seed, rounds) {
    this.scheduler = scheduler;
    this.seed = seed;
    this.rounds = rounds;
  }

  run(_packet) {
    if (--this.rounds === 0) return this.scheduler.holdCurrent();
    if ((this.seed & 1) === 0) {
      this.seed >>= 1;
      return this.scheduler.wake(DEVICE_A);
    }
    this.seed = (this.seed >> 1) ^ 0xd008;
    return this.scheduler.wake(DEVICE_B);
  }
}

// Holds one packet at a time and hands it back when woken without one.
class DeviceTask {
  constructor(scheduler) {
    this.scheduler = scheduler;
    this.pending = null;
  }

  run(packet) {
    if (packet !== null) {
      this.pending = packet;
      return this.scheduler.holdCurrent();
    }
    if (this.pending === null) return this.scheduler.waitCurrent();
    const out = this.pending;
    this.pending = null;
    return this.scheduler.send(out);
  }
}

// Fills each work packet with the next letters of a rolling alphabet and
// sends it to the two handlers in turn.
class WorkerTask {
  constructor(scheduler) {
    this.scheduler = scheduler;
    this.handler = HANDLER_A;
    this.letter = 0;
  }

  run(packet) {
    if (packet === null) return this.scheduler.waitCurrent();
    this.handler = this.handler === HANDLER_A ? HANDLER_B : HANDLER_A;
    packet.destination = this.handler;
    packet.count = 0;
    for (let i = 0; i < PAYLOAD_SIZE; i++) {
      if (++this.letter > 26) this.letter = 1;
      packet.payload[i] = this.letter;
    }
    return this.scheduler.send(packet);
  }
}

// Copies a work packet's payload, one value per device packet, to a device.
class HandlerTask {
  constructor(scheduler) {
    this.scheduler = scheduler;
    this.work = null;
    this.devices = null;
  }

  run(packet) {
    if (packet !== null) {
      if (packet.kind === WORK_PACKET) this.work = packet.appendTo(this.work);
      else this.devices = packet.appendTo(this.devices);
    }
    if (this.work !== null) {
      const index = this.work.count;
      if (index < PAYLOAD_SIZE) {
        if (this.devices !== null) {
          const device = this.devices;
          this.devices = device.next;
          device.count = this.work.payload[index];
          this.work.count = index + 1;
          return this.scheduler.send(device);
        }
      } else {
        const done = this.work;
        this.work = done.next;
        return this.scheduler.send(done);
      }
    }
    return this.scheduler.waitCurrent();
  }
}

function packets(count, destination, kind) {
  let queue = null;
  for (let i = 0; i < count; i++) queue = new Packet(queue, destination, kind);
  return queue;
}

function simulate() {
  const scheduler = new Scheduler();
  scheduler.add(IDLE, 0, null, new IdleTask(scheduler, 1, IDLE_ROUNDS));
  scheduler.current.state = 0; // the idle task starts out running
  scheduler.add(WORKER, 1000, packets(2, WORKER, WORK_PACKET), new WorkerTask(scheduler));
  scheduler.add(HANDLER_A, 2000, packets(3, DEVICE_A, DEVICE_PACKET), new HandlerTask(scheduler));
  scheduler.add(HANDLER_B, 3000, packets(3, DEVICE_B, DEVICE_PACKET), new HandlerTask(scheduler));
  scheduler.add(DEVICE_A, 4000, null, new DeviceTask(scheduler));
  scheduler.add(DEVICE_B, 5000, null, new DeviceTask(scheduler));
  scheduler.schedule();
  if (scheduler.queued !== EXPECTED_QUEUED || scheduler.held !== EXPECTED_HELD) {
    throw new Error(`richards: queued ${scheduler.queued}, held ${scheduler.held}`);
  }
  return scheduler.queued + scheduler.held;
}

export function run(iterations) {
  let total = 0;
  for (let i = 0; i < iterations; i++) total += simulate();
  return total;
}
