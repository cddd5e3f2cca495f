// The fan page: join a waiting room, follow the place over SSE, then pick a seat through the
// gate's /api/ proxy. The gate keeps the tokens in cookies, so this page never handles them.
'use strict';

const $ = (id) => document.getElementById(id);

function showError(text) { $('error').textContent = text || ''; }

async function api(method, path, user, body) {
  const headers = { 'content-type': 'application/json' };
  if (user) headers['x-boxoffice-user'] = user;
  const res = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined,
                                  credentials: 'same-origin' });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error((json.error && json.error.message) || res.statusText);
  return json;
}

function showStatus(s) {
  $('waiting').hidden = false;
  $('phase').textContent = s.phase.replace('_', ' ');
  if (s.phase === 'pre_queue') {
    $('place').textContent = 'You are in the pre-queue: the lottery draws places at the on-sale.';
  } else if (s.position > 0) {
    const w = s.estimated_wait_s;
    $('place').textContent = `Place ${s.position}, ${s.people_ahead} ahead, about ` +
      `${Math.floor(w.low / 60)}-${Math.ceil(w.high / 60)} min.`;
  }
  if (s.lottery_commitment) {
    $('commitment').textContent = 'Lottery commitment (sha256 of the seed): ' + s.lottery_commitment;
  }
}

function follow(event, user) {
  const source = new EventSource(`/queue/${event}/stream`);
  source.addEventListener('position', (e) => showStatus(JSON.parse(e.data)));
  source.addEventListener('admitted', async (e) => {
    source.close();
    showStatus(JSON.parse(e.data));
    // The stream's headers went out before the admission: one status call sets the cookie.
    await fetch(`/queue/${event}/status`, { credentials: 'same-origin' });
    loadSeats(event, user);
  });
}

async function loadSeats(event, user) {
  $('seats').hidden = false;
  const map = await api('GET', `/api/events/${event}/seats`);
  const root = $('map');
  root.textContent = '';
  for (const section of map.sections) {
    const div = document.createElement('div');
    div.className = 'section';
    div.append(section.name + ' ');
    for (const seat of section.seats.slice(0, 400)) {
      const b = document.createElement('button');
      b.className = 'seat ' + seat.status;
      b.title = `${seat.seat_id} ${seat.price}`;
      b.textContent = seat.seat_id;
      if (seat.status === 'available') b.onclick = () => reserve(event, user, seat.seat_id);
      div.append(b);
    }
    root.append(div);
  }
}

async function reserve(event, user, seat) {
  showError('');
  try {
    const r = await api('POST', `/api/events/${event}/seats/${encodeURIComponent(seat)}/reserve`,
                        user, {});
    $('hold').innerHTML = '';
    const a = document.createElement('a');
    a.className = 'go';
    a.href = r.payment_url;
    a.textContent = `Pay for ${seat} (held until ${r.expires_at})`;
    $('hold').append(a);
  } catch (e) {
    showError(e.message);
  }
}

async function start() {
  const events = await api('GET', '/api/events').catch(() => ({ events: [] }));
  for (const e of events.events || []) {
    const o = document.createElement('option');
    o.value = e.event_id || e.id;
    o.textContent = `${e.title} (${e.city})`;
    $('event').append(o);
  }
  $('join-form').onsubmit = async (ev) => {
    ev.preventDefault();
    showError('');
    const user = $('user').value;
    const event = $('event').value;
    try {
      const s = await api('POST', `/queue/${event}/join`, user);
      showStatus(s);
      if (s.phase === 'admitted') loadSeats(event, user);
      else follow(event, user);
    } catch (e) {
      showError(e.message);
    }
  };
}

start();
