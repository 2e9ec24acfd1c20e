// The playground: microphone in (AudioWorklet, 16 kHz PCM16), the avatar's audio and video out, kept in sync on the
// server's media timestamps, live captions and who is speaking. Wire format: docs/websocket-protocol.md (version 1).
const VERSION = 1;
const HEADER_BYTES = 16;
const KIND_AUDIO = 1;
const KIND_VIDEO = 2;
const MIC_RATE = 16000;
const MIC_CHUNK_SAMPLES = 320; // 20 ms at 16 kHz
const JITTER_SECONDS = 0.1; // media plays this long after its first message arrives, to absorb network jitter

const $ = (id) => document.getElementById(id);
const button = $("connect");
const statusLine = $("status");
const canvas = $("video");
const canvas2d = canvas.getContext("2d");
const captions = $("captions");

// What the page did, for people debugging it and for the browser test and benchmark.
const stats = {
  connected: false, audioChunksSent: 0, audioChunksScheduled: 0, audioChunksPlayed: 0, peakOutputLevel: 0,
  framesReceived: 0, framesDrawn: 0, frameLatenciesMs: [], frameTransitMs: [], captions: 0, lastClose: null,
};
window.playground = { stats, connect, disconnect };

let socket = null;
let micContext = null;
let micStream = null;
let outContext = null;
let analyser = null;
let serverEpochUs = 0;
let mediaOffset = null; // outContext time minus server media time, in seconds
let sources = new Set();
let frames = [];
let interimItem = null;
let botItem = null;

button.addEventListener("click", () => (socket ? disconnect() : connect()));

async function connect() {
  if (socket) {
    return;
  }
  setStatus("Connecting…");
  button.setAttribute("aria-pressed", "true");
  button.textContent = "Disconnect";
  try {
    outContext = new AudioContext();
    await outContext.resume();
    analyser = outContext.createAnalyser();
    analyser.fftSize = 1024;
    analyser.connect(outContext.destination);
    micContext = new AudioContext({ sampleRate: MIC_RATE });
    await micContext.audioWorklet.addModule("/playground/mic-worklet.js");
    micStream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
  } catch (error) {
    cleanUp();
    setStatus(`Could not start the microphone or audio: ${error.message}. Allow the microphone and try again.`);
    return;
  }

  const path = document.querySelector('meta[name="pipeline-ws-path"]').content;
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`;
  const ws = new WebSocket(url, "pipeline.v1");
  socket = ws;
  socket.binaryType = "arraybuffer";
  socket.onopen = () => {
    socket.send(JSON.stringify({ type: "hello", version: VERSION, audio: { sampleRate: micContext.sampleRate, channels: 1 } }));
    startMicrophone();
  };
  socket.onmessage = (event) => (typeof event.data === "string" ? onEvent(JSON.parse(event.data)) : onMedia(event.data));
  socket.onclose = (event) => {
    if (socket !== ws) {
      return; // an earlier connection, already cleaned up
    }
    stats.lastClose = { code: event.code, reason: event.reason };
    cleanUp();
    setStatus(`Disconnected (${event.code}${event.reason ? `: ${event.reason}` : ""}).`);
  };
  socket.onerror = () => setStatus("The connection failed; is the bot running?");
}

function disconnect() {
  if (socket && socket.readyState <= WebSocket.OPEN) {
    socket.close(1000, "the user disconnected");
  }
  cleanUp();
  setStatus("Disconnected.");
}

function startMicrophone() {
  const source = micContext.createMediaStreamSource(micStream);
  const capture = new AudioWorkletNode(micContext, "pcm16-capture", { processorOptions: { chunkSamples: MIC_CHUNK_SAMPLES } });
  // The worklet must be pulled by the graph to run: a silent path to the speakers does that.
  const mute = micContext.createGain();
  mute.gain.value = 0;
  source.connect(capture).connect(mute).connect(micContext.destination);
  capture.port.onmessage = (event) => {
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      return;
    }
    const pcm = new Uint8Array(event.data);
    const message = new Uint8Array(HEADER_BYTES + pcm.length);
    const view = new DataView(message.buffer);
    view.setUint8(0, KIND_AUDIO);
    view.setUint8(1, VERSION);
    view.setUint16(2, 1, true);
    view.setUint32(4, micContext.sampleRate, true);
    // The capture time on the wall clock (microseconds since 1970): the server may measure its input delay with it.
    view.setBigInt64(8, BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)), true);
    message.set(pcm, HEADER_BYTES);
    socket.send(message);
    stats.audioChunksSent++;
  };
}

function onEvent(message) {
  switch (message.type) {
    case "welcome":
      stats.connected = true;
      serverEpochUs = message.serverEpochUs;
      setStatus("Connected: talk to the bot.");
      break;
    case "transcript":
      showTranscript(message.text, message.final);
      break;
    case "bot_text":
      if (!botItem) {
        botItem = addCaption("bot", "");
      }
      botItem.textContent = `${botItem.textContent} ${message.text}`.trim();
      break;
    case "speaking":
      setSpeaking(message.who, message.speaking);
      break;
    case "interrupted":
      flushMedia();
      break;
    case "error":
      addCaption("error", message.message);
      break;
  }
}

function showTranscript(text, final) {
  if (!interimItem) {
    interimItem = addCaption("user interim", "");
  }
  interimItem.textContent = text;
  if (final) {
    interimItem.className = "user";
    interimItem = null;
  }
}

function setSpeaking(who, speaking) {
  const pill = $(who === "bot" ? "bot-state" : "user-state");
  pill.dataset.speaking = String(speaking);
  pill.textContent = `${who === "bot" ? "Bot" : "You"}: ${speaking ? "speaking" : "quiet"}`;
  if (who === "bot" && !speaking) {
    botItem = null;
  }
}

function addCaption(kind, text) {
  const item = document.createElement("li");
  item.className = kind;
  item.textContent = text;
  captions.append(item);
  item.scrollIntoView({ block: "nearest" });
  stats.captions++;
  return item;
}

// Media: the server stamps audio where it plays and video where it shows, on one clock; both are played on the output
// AudioContext's clock, offset by a small jitter buffer, so the avatar's lips stay on its voice.
function onMedia(buffer) {
  const view = new DataView(buffer);
  if (buffer.byteLength < HEADER_BYTES || view.getUint8(1) !== VERSION) {
    return;
  }
  const timestampUs = Number(view.getBigInt64(8, true));
  if (view.getUint8(0) === KIND_AUDIO) {
    const channels = Math.max(1, view.getUint16(2, true));
    playAudio(view.getUint32(4, true), channels, new Int16Array(buffer, HEADER_BYTES, (buffer.byteLength - HEADER_BYTES) >> 1), timestampUs);
  } else if (view.getUint8(0) === KIND_VIDEO) {
    stats.framesReceived++;
    const arrived = performance.now();
    // From the frame reaching the server's transport to its message arriving here (same machine: same wall clock).
    keepLast(stats.frameTransitMs, ((performance.timeOrigin + arrived) * 1000 - (serverEpochUs + timestampUs)) / 1000);
    createImageBitmap(new Blob([new Uint8Array(buffer, HEADER_BYTES)], { type: "image/jpeg" }))
      .then((bitmap) => frames.push({ at: playTime(timestampUs), bitmap, timestampUs, arrived }))
      .catch(() => {});
  }
}

function playTime(timestampUs) {
  const now = outContext.currentTime;
  if (mediaOffset === null) {
    mediaOffset = now + JITTER_SECONDS - timestampUs / 1e6;
  }
  let at = mediaOffset + timestampUs / 1e6;
  if (at < now) {
    // Late: the network stalled longer than the buffer. Move the timeline so that this and later media play in sync.
    mediaOffset += now + JITTER_SECONDS - at;
    at = now + JITTER_SECONDS;
  }
  return at;
}

function playAudio(sampleRate, channels, pcm, timestampUs) {
  const frames = Math.floor(pcm.length / channels);
  if (!outContext || frames === 0) {
    return;
  }
  const buffer = outContext.createBuffer(channels, frames, sampleRate);
  for (let c = 0; c < channels; c++) {
    const samples = buffer.getChannelData(c);
    for (let i = 0; i < frames; i++) {
      samples[i] = pcm[i * channels + c] / 32768; // interleaved PCM16
    }
  }
  const source = outContext.createBufferSource();
  source.buffer = buffer;
  source.connect(analyser);
  source.onended = () => {
    sources.delete(source);
    stats.audioChunksPlayed++;
  };
  sources.add(source);
  source.start(playTime(timestampUs));
  stats.audioChunksScheduled++;
}

function flushMedia() {
  for (const source of sources) {
    source.onended = null;
    source.stop();
  }
  sources = new Set();
  frames.forEach((f) => f.bitmap.close());
  frames = [];
  mediaOffset = null;
}

const levelSamples = new Float32Array(1024);

function render() {
  if (outContext) {
    const now = outContext.currentTime;
    let due = null;
    while (frames.length > 0 && frames[0].at <= now) {
      if (due) {
        due.bitmap.close();
      }
      due = frames.shift();
    }
    if (due) {
      if (canvas.width !== due.bitmap.width || canvas.height !== due.bitmap.height) {
        canvas.width = due.bitmap.width;
        canvas.height = due.bitmap.height;
      }
      canvas2d.drawImage(due.bitmap, 0, 0);
      due.bitmap.close();
      stats.framesDrawn++;
      // From the frame reaching the server's transport to being drawn here (same machine: same wall clock).
      const drawnUs = (performance.timeOrigin + performance.now()) * 1000;
      keepLast(stats.frameLatenciesMs, (drawnUs - (serverEpochUs + due.timestampUs)) / 1000);
    }
    analyser.getFloatTimeDomainData(levelSamples);
    let peak = 0;
    for (const s of levelSamples) {
      peak = Math.max(peak, Math.abs(s));
    }
    stats.peakOutputLevel = Math.max(stats.peakOutputLevel, peak);
  }
  requestAnimationFrame(render);
}

function cleanUp() {
  if (outContext) {
    flushMedia();
  }
  micStream?.getTracks().forEach((t) => t.stop());
  micContext?.close();
  outContext?.close();
  socket = null;
  micStream = null;
  micContext = null;
  outContext = null;
  stats.connected = false;
  button.setAttribute("aria-pressed", "false");
  button.textContent = "Connect";
}

function keepLast(list, value) {
  list.push(value);
  if (list.length > 1000) {
    list.shift();
  }
}

function setStatus(text) {
  statusLine.textContent = text;
}

requestAnimationFrame(render);
