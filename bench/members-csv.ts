/**
 * Writes a member list in the generic `email,name` format for the import benchmark: names
 * and addresses that look like a real list (some names with commas and quotes, mixed-case
 * addresses), a share of addresses repeated from earlier rows and a share of broken ones.
 * Seeded, so every run writes the same file.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { csvLine } from '../src/modules/members/admin/csv-writer.js';

// prettier-ignore
const FIRST = [
  'Anna', 'Ben', 'Chloé', 'David', 'Elena', 'Farid', 'Grace', 'Hugo', 'Ingrid', 'Jamal',
  'Kasia', 'Liam', 'María', 'Nikolai', 'Olga', 'Pedro', 'Qing', 'Rosa', 'Sven', 'Tamar',
  'Uma', 'Viktor', 'Wen', 'Xavier', 'Yusuf', 'Zoë', 'Aoife', 'Björn', 'Carmen', 'Dmitri',
  'Eszter', 'Fatima', 'Giorgio', 'Hana', 'Ivan', 'Jonas', 'Kofi', 'Lena', 'Mateo', 'Noor',
];
// prettier-ignore
const LAST = [
  'Smith', 'Müller', 'García', 'Rossi', 'Nowak', 'Ivanova', 'Chen', 'Okafor', 'Dubois',
  'Jensen', "O'Brien", 'Kowalski', 'Silva', 'Haddad', 'Novák', 'Tanaka', 'Papadopoulos',
  'Andersson', 'Yılmaz', 'Kim', 'Nguyen', 'Schmidt', 'Fernández', 'Popescu', 'Horváth',
  'Lindqvist', 'Mensah', 'Costa', 'Petrov', 'Walsh',
];
// prettier-ignore
const DOMAINS = [
  'gmail.com', 'outlook.com', 'yahoo.com', 'proton.me', 'icloud.com', 'gmx.de', 'web.de',
  'fastmail.com', 'hey.com', 'orange.fr', 'libero.it', 'uni-example.edu', 'newsroom.example',
];
const BROKEN = [
  (e: string) => e.replace('@', ''),
  (e: string) => e.replace(/@.*/, '@'),
  (e: string) => e.replace('@', '@@'),
  (e: string) => e.replace('.', ' .'),
  (e: string) => e.replace(/\.[a-z]+$/, ''),
];

export interface GeneratedList {
  rows: number;
  /** Rows repeating an earlier address (in another letter case). */
  duplicates: number;
  bad: number;
  /** Members the import should create. */
  unique: number;
}

/** mulberry32: small, fast and good enough to make varied test data. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ascii = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f']/g, '')
    .replace(/ı/g, 'i')
    .toLowerCase();

export async function writeMembersCsv(
  file: string,
  rows: number,
  options: { duplicateShare?: number; badShare?: number; seed?: number } = {},
): Promise<GeneratedList> {
  const rnd = random(options.seed ?? 42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
  const duplicateShare = options.duplicateShare ?? 0.03;
  const badShare = options.badShare ?? 0.005;
  const out = createWriteStream(file);
  const recent: string[] = [];
  const stats: GeneratedList = { rows, duplicates: 0, bad: 0, unique: 0 };
  let buffer = csvLine(['email', 'name']);
  for (let i = 0; i < rows; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const roll = rnd();
    let email: string;
    if (roll < duplicateShare && recent.length > 0) {
      email = pick(recent).toUpperCase();
      stats.duplicates++;
    } else {
      const style = rnd();
      const local =
        style < 0.5
          ? `${ascii(first)}.${ascii(last)}${i}`
          : style < 0.8
            ? `${ascii(first)[0]}${ascii(last)}${i}`
            : `${ascii(first)}_${i}`;
      email = `${local}@${pick(DOMAINS)}`;
      if (roll < duplicateShare + badShare) {
        email = pick(BROKEN)(email);
        stats.bad++;
      } else {
        stats.unique++;
        if (recent.length < 2000) recent.push(email);
        else recent[Math.floor(rnd() * recent.length)] = email;
      }
    }
    const nameRoll = rnd();
    const name =
      nameRoll < 0.05
        ? `${last}, ${first}`
        : nameRoll < 0.07
          ? `${first} "${first.slice(0, 2)}" ${last}`
          : nameRoll < 0.1
            ? ''
            : `${first} ${last}`;
    buffer += csvLine([rnd() < 0.3 ? email.replace(/^./, (c) => c.toUpperCase()) : email, name]);
    if (buffer.length > 64 * 1024) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
  return stats;
}
