// Local WebSocket peers for the media benchmark, each run as its own process:
//   --role realtime-echo : speaks the OpenAI Realtime GA protocol and answers every input_audio_buffer.append with
//                          the same audio as response.output_audio.delta (the "echo provider");
//   --role twilio-echo   : the one-hop floor: answers every Twilio `media` frame with `media` + `mark`, as the gateway does.
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';
import { sendTextPair } from '../src/agent-session/ws-frames.js';

const { values } = parseArgs({ options: { role: { type: 'string' }, port: { type: 'string' } }, strict: false });
const port = Number(values.port);
const server = new WebSocketServer({ port, host: '127.0.0.1', perMessageDeflate: false });

if (values.role === 'realtime-echo') {
  server.on('connection', (socket) => {
    let n = 0;
    socket.send(JSON.stringify({ type: 'session.created', event_id: 'evt_0', session: { type: 'realtime' } }));
    socket.on('message', (data: Buffer) => {
      const event = JSON.parse(data.toString('utf8')) as { type: string; audio?: string };
      if (event.type === 'input_audio_buffer.append') {
        socket.send(
          `{"type":"response.output_audio.delta","event_id":"evt_${++n}","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":${JSON.stringify(event.audio)}}`,
        );
      } else if (event.type === 'session.update') {
        socket.send(JSON.stringify({ type: 'session.updated', event_id: 'evt_u', session: {} }));
      }
    });
  });
} else if (values.role === 'twilio-echo') {
  server.on('connection', (socket) => {
    let streamSid = '""';
    let n = 0;
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as { event: string; streamSid?: string; media?: { payload: string } };
      if (frame.event === 'start') streamSid = JSON.stringify(frame.streamSid);
      else if (frame.event === 'media' && frame.media) {
        // In one write, as the gateway sends them: the floor must not pay a system call the gateway saves.
        sendTextPair(
          socket,
          `{"event":"media","streamSid":${streamSid},"media":{"payload":${JSON.stringify(frame.media.payload)}}}`,
          `{"event":"mark","streamSid":${streamSid},"mark":{"name":"0:1:${++n}"}}`,
        );
      }
    });
  });
} else {
  process.stderr.write('--role realtime-echo | twilio-echo\n');
  process.exit(2);
}
process.on('SIGTERM', () => server.close(() => process.exit(0)));
