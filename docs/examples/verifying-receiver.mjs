// A unit's receiver of Hotline's signed deliveries (docs/push-deliveries.md), in plain Node, no packages.
// Run: HOTLINE_SECRET=<the subscription's secret> PORT=8080 node docs/examples/verifying-receiver.mjs
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const secret = process.env.HOTLINE_SECRET;
if (!secret) throw new Error('Set HOTLINE_SECRET to the subscription secret.');
const TOLERANCE_SECONDS = 300;
const handled = new Set(); // a real receiver keeps the ids in its database, for as long as it likes

const verified = (headers, body) => {
  const id = headers['hotline-delivery-id'];
  const stamp = headers['hotline-timestamp'];
  const signatures = headers['hotline-signature'];
  if (!id || !/^\d{1,12}$/.test(stamp ?? '') || !signatures) return 'missing headers';
  if (Math.abs(Date.now() / 1000 - Number(stamp)) > TOLERANCE_SECONDS) return 'too old or from the future';
  const expected = createHmac('sha256', secret).update(`${id}.${stamp}.${body}`).digest();
  const ok = signatures
    .split(' ')
    .filter((s) => s.startsWith('v1='))
    .map((s) => Buffer.from(s.slice(3), 'hex'))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected));
  return ok ? undefined : 'bad signature';
};

createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8'); // verify the bytes as sent, before parsing
    const problem = verified(req.headers, body);
    if (problem) return res.writeHead(401).end(problem);
    const id = req.headers['hotline-delivery-id'];
    if (handled.has(id)) return res.writeHead(200).end('already handled'); // a redelivery: do nothing again
    handled.add(id);
    const event = JSON.parse(body);
    console.log(`handled ${id}: ${event.type ?? 'event'}`);
    res.writeHead(204).end();
  });
}).listen(Number(process.env.PORT ?? 8080), '127.0.0.1', function () {
  console.log(`listening on ${this.address().port}`);
});
