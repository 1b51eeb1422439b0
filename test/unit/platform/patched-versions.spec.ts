import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { assertPatchedVersions, installedVersion, PATCHES, PatchedVersionError, satisfies, type PatchedDependency } from '../../../src/platform/patches';

const ROOT = path.resolve(__dirname, '../../..');

/** The reaches into internals that the patch files hold; found elsewhere in src/, they escaped. */
const INTERNALS = [/\b_afterCommitHooks\b/, /connectionManager\s+as\s+unknown/, /\.conn\.transport\b/, /\._socket\b/, /require\.resolve\('path-to-regexp'/];

function sourcesUnder(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    if (statSync(path.join(ROOT, rel)).isDirectory()) return sourcesUnder(rel);
    return name.endsWith('.ts') ? [rel] : [];
  });
}

describe('patches on private internals (unit)', () => {
  it('passes for the installed versions of every patched dependency', () => {
    expect(() => assertPatchedVersions()).not.to.throw();
  });

  it('fails naming the dependency, its installed version, the range checked and the patch, for a version out of range', () => {
    const simulated = (d: PatchedDependency) => (d.name === 'sequelize' ? '6.38.0' : d.name === 'engine.io' ? '7.0.0-beta.1' : installedVersion(d.name, d.via));

    let failure: unknown;
    try {
      assertPatchedVersions(simulated);
    } catch (err) {
      failure = err;
    }

    expect(failure).to.be.instanceOf(PatchedVersionError);
    const message = (failure as Error).message;
    expect(message).to.include('sequelize is 6.38.0, but src/platform/patches/sequelize.ts was checked against >=6.37.8 <6.38 only');
    expect(message).to.include('engine.io (through socket.io) is 7.0.0-beta.1, but src/platform/patches/engine-io.ts was checked against >=6.6 <6.7 only');
    expect(message).not.to.include('sequelize-pool');
    expect(message).to.include('"Patches on private internals"');
  });

  it('reads the version the service loads, through the package that loads it', () => {
    // engine.io does not export ./package.json: found by walking up from its entry point.
    const socketIo = path.dirname(require.resolve('socket.io'));
    const engineIoEntry = require.resolve('engine.io', { paths: [socketIo] });
    const marker = path.join('node_modules', 'engine.io');
    const root = engineIoEntry.slice(0, engineIoEntry.lastIndexOf(marker) + marker.length);
    const own = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    expect(installedVersion('engine.io', ['socket.io'])).to.equal(own.version);
  });

  it('compares versions against space-separated comparators', () => {
    expect(satisfies('6.37.8', '>=6.37.8 <6.38')).to.equal(true);
    expect(satisfies('6.37.7', '>=6.37.8 <6.38')).to.equal(false);
    expect(satisfies('6.38.0', '>=6.37.8 <6.38')).to.equal(false);
    expect(satisfies('8.21.3', '>=8.21 <9')).to.equal(true);
    expect(satisfies('9.0.0', '>=8.21 <9')).to.equal(false);
    expect(satisfies('5.6.2-rc.1', '>=5.6 <5.7')).to.equal(true);
    expect(satisfies('1.2.3', '1.2.3')).to.equal(true);
    expect(satisfies('1.2.4', '>1.2.3 <=1.2.4')).to.equal(true);
    expect(() => satisfies('6.x', '>=6')).to.throw(PatchedVersionError, 'not a version');
  });

  it('lists every patch, with its file and range, in docs/architecture.md', () => {
    const doc = readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Patches on private internals'));
    expect(section, 'the section exists').to.match(/^## Patches on private internals/);
    for (const patch of PATCHES) {
      expect(existsSync(path.join(ROOT, patch.file)), patch.file).to.equal(true);
      for (const d of patch.dependencies) {
        const row = section.split('\n').find((line) => line.startsWith(`| \`${d.name}\``));
        expect(row, `a row for ${d.name}`).to.be.a('string');
        expect(row)
          .to.include(`\`${d.range}\``)
          .and.to.include(`\`${patch.file.replace(/^src\//, '')}\``);
      }
    }
  });

  it('keeps every reach into those internals inside src/platform/patches', () => {
    const escaped = sourcesUnder('src')
      .filter((file) => !file.startsWith(path.join('src', 'platform', 'patches')))
      .flatMap((file) => {
        const source = readFileSync(path.join(ROOT, file), 'utf8');
        return INTERNALS.filter((pattern) => pattern.test(source)).map((pattern) => `${file}: ${pattern.source}`);
      });
    expect(escaped).to.deep.equal([]);
  });
});
