import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultBackupDir, latestBackup, writeBackup } from '../../../src/apply/backup.js';

describe('spec backups', () => {
  it('default to $XDG_STATE_HOME/kops-audit/backups, else ~/.local/state/kops-audit/backups', () => {
    expect(defaultBackupDir({ XDG_STATE_HOME: '/x/state', HOME: '/home/u' })).toBe(
      '/x/state/kops-audit/backups',
    );
    expect(defaultBackupDir({ HOME: '/home/u' })).toBe('/home/u/.local/state/kops-audit/backups');
    expect(defaultBackupDir({ XDG_STATE_HOME: '', HOME: '/home/u' })).toBe(
      '/home/u/.local/state/kops-audit/backups',
    );
  });

  it('are timestamped, 0600 in a 0700 directory, never overwritten, and the newest is found', async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'kops-audit-backup-')), 'backups');
    const at = Date.parse('2026-01-02T03:04:05Z');
    const first = await writeBackup(dir, 'a.example.com', 'one', at);
    const second = await writeBackup(dir, 'a.example.com', 'two', at);
    expect(path.basename(first)).toBe('a.example.com-20260102T030405Z.yaml');
    expect(second).not.toBe(first);
    expect(readFileSync(first, 'utf8')).toBe('one');
    expect(statSync(first).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const later = await writeBackup(dir, 'a.example.com', 'three', at + 60_000);
    await writeBackup(dir, 'b.example.com', 'other cluster', at + 120_000);
    expect(await latestBackup(dir, 'a.example.com')).toBe(later);
    expect(await latestBackup(path.join(dir, 'none'), 'a.example.com')).toBeUndefined();
  });
});
