import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/cli/args.js';
import { loadConfig } from '../../../src/config/config.js';
import { bearerToken } from '../../../src/service/auth.js';
import { displayFileName } from '../../../src/service/ingest.js';
import { overallProgress } from '../../../src/service/progress-weights.js';
import { checkKey, LocalStorage } from '../../../src/storage/index.js';
import { hashApiToken, looksLikeApiToken, newApiToken } from '../../../src/service/tokens.js';

describe('API tokens', () => {
  it('are 32 random bytes with a prefix, stored as their SHA-256', () => {
    const token = newApiToken();
    expect(looksLikeApiToken(token)).toBe(true);
    expect(newApiToken()).not.toBe(token);
    expect(hashApiToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    for (const bad of ['', 'lr_', `${token}x`, token.slice(1), `lr_${'*'.repeat(43)}`]) expect(looksLikeApiToken(bad)).toBe(false);
  });

  it('are read from a Bearer header only', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken('Bearer a b')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});

describe('overall progress', () => {
  it('rises through the stages in order and never goes back', () => {
    const steps = [
      overallProgress({ stage: 'probe', done: 1, total: 1 }),
      overallProgress({ stage: 'decode', done: 5, total: 10 }),
      overallProgress({ stage: 'decode', done: 10, total: 10 }),
      overallProgress({ stage: 'segment', done: 1, total: 1 }),
      overallProgress({ stage: 'photos', done: 3, total: 3 }),
      overallProgress({ stage: 'text', done: 1, total: 2 }),
      // Clips come after the text: their plates are found with the text readers.
      overallProgress({ stage: 'clips', done: 1, total: 2 }),
      overallProgress({ stage: 'store', done: 1, total: 1 }),
    ];
    for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeGreaterThan(steps[i - 1]!);
    expect(steps.at(-1)).toBe(1);
    expect(overallProgress({ stage: 'probe', done: 1, total: 1 }, 0.5)).toBe(0.5);
    expect(overallProgress({ stage: 'decode', done: 0, total: 0 })).toBe(0.02);
  });
});

describe('storage keys', () => {
  it('refuse anything that could leave the storage folder', () => {
    for (const bad of ['', '../x', 'a/../b', '/etc/passwd', 'a//b', 'a/.hidden', 'a\\b', 'a/b c', '..', 'a/..']) expect(() => checkKey(bad), bad).toThrow(/invalid storage key/);
    expect(checkKey('d/v/car-1/01.jpg')).toBe('d/v/car-1/01.jpg');
  });

  it('read and remove files under a local root', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lotreel-storage-'));
    try {
      const storage = new LocalStorage(root);
      const source = join(root, 'incoming');
      writeFileSync(source, 'bytes');
      await storage.putFile('d/v/original', source);
      const object = await storage.read('d/v/original');
      expect(object?.sizeBytes).toBe(5);
      object?.stream.destroy();
      expect(await storage.read('d/v/missing')).toBeNull();
      await storage.removeAll('d/v');
      expect(await storage.read('d/v/original')).toBeNull();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('file names from clients', () => {
  it('are for display only: no folders, no control characters, bounded', () => {
    expect(displayFileName('../../etc/passwd')).toBe('passwd');
    expect(displayFileName('C:\\Users\\me\\lot.mp4')).toBe('lot.mp4');
    expect(displayFileName('a\u0000b\nc.mp4')).toBe('abc.mp4');
    expect(displayFileName('')).toBe('video');
    expect(displayFileName(undefined)).toBe('video');
    expect(displayFileName('x'.repeat(500))).toHaveLength(200);
  });
});

describe('service commands and settings', () => {
  it('parses serve, worker, dealers and export', () => {
    expect(parseCommand(['serve'])).toEqual({ kind: 'serve', port: undefined, host: undefined, worker: true, verbose: false });
    expect(parseCommand(['serve', '--port', '9000', '--no-worker'])).toMatchObject({ kind: 'serve', port: 9000, worker: false });
    expect(() => parseCommand(['serve', '--port', 'http'])).toThrow(/--port/);
    expect(() => parseCommand(['serve', '--port', '70000'])).toThrow(/--port/);
    expect(parseCommand(['worker'])).toEqual({ kind: 'worker', verbose: false });
    expect(parseCommand(['dealers', 'add', 'Main Street Motors'])).toEqual({ kind: 'dealers-add', name: 'Main Street Motors', verbose: false });
    expect(() => parseCommand(['dealers', 'add'])).toThrow(/one name/);
    expect(() => parseCommand(['dealers', 'add', ' '])).toThrow(/one name/);
    expect(parseCommand(['export', '--dealer', 'A'])).toEqual({ kind: 'export', dealer: 'A', video: undefined, format: 'csv', verbose: false });
    expect(() => parseCommand(['export'])).toThrow(/--dealer/);
    expect(() => parseCommand(['export', '--dealer', 'A', '--format', 'xml'])).toThrow(/csv or json/);
  });

  it('reads the service settings from the environment, reporting bad values', () => {
    const config = loadConfig({ HOME: '/home/x', PORT: '9090', LOTREEL_MAX_UPLOAD_BYTES: '1000', LOTREEL_PUBLIC_URL: 'https://lot.example/' });
    expect(config.service).toMatchObject({ port: 9090, maxUploadBytes: 1000, publicUrl: 'https://lot.example', jobLeaseSeconds: 120 });
    expect(() => loadConfig({ HOME: '/home/x', PORT: 'x', LOTREEL_JOB_LEASE_S: '1' })).toThrow(/PORT.*LOTREEL_JOB_LEASE_S|LOTREEL_JOB_LEASE_S.*PORT/);
  });
});
