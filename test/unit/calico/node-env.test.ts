// Each variable parsed exactly as calico-node parses it (issue 14, case 5).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addressSetting, felixBool, felixProgramsClusterRoutes, networkingBackend, noDefaultPools, poolCidrSetting, poolEncapMode, runsBird, startupBool } from '../../../src/calico/node-env.js';

describe('calico/node-env', () => {
  it('NO_DEFAULT_POOLS is true only for "true" in any case (startup.go:910)', () => {
    for (const yes of ['true', 'True', 'TRUE', 'tRuE']) assert.equal(noDefaultPools(yes), true, yes);
    for (const no of [undefined, '', '1', 't', 'T', 'yes', 'y', ' true', 'true ']) assert.equal(noDefaultPools(no), false, String(no));
  });

  it('evaluateENVBool: set means true unless false/0/no/n/f; unset is the default (startup.go:842-858)', () => {
    assert.equal(startupBool(undefined, false), false);
    assert.equal(startupBool(undefined, true), true);
    for (const no of ['false', 'FALSE', '0', 'no', 'No', 'n', 'f', 'F']) assert.equal(startupBool(no, true), false, no);
    for (const yes of ['true', '1', '', 'nonsense', 'off', 'disabled']) assert.equal(startupBool(yes, false), true, yes);
  });

  it('Felix booleans: true/1/yes/y/t and false/0/no/n/f, anything else invalid (param_types.go:91-99)', () => {
    for (const yes of ['true', 'True', '1', 'yes', 'Y', 't']) assert.equal(felixBool(yes), true, yes);
    for (const no of ['false', '0', 'NO', 'n', 'f']) assert.equal(felixBool(no), false, no);
    for (const bad of ['', 'on', 'enabled', ' true']) assert.equal(felixBool(bad), undefined, bad);
  });

  it('pool encapsulation modes as createIPPool reads them (startup.go:1088-1111)', () => {
    for (const never of [undefined, '', 'off', 'Never', 'NEVER']) assert.equal(poolEncapMode(never), 'Never', String(never));
    for (const cross of ['CrossSubnet', 'crosssubnet', 'Cross-Subnet']) assert.equal(poolEncapMode(cross), 'CrossSubnet', cross);
    assert.equal(poolEncapMode('Always'), 'Always');
    assert.equal(poolEncapMode('on'), undefined);
    assert.equal(poolEncapMode('true'), undefined);
  });

  it('CALICO_NETWORKING_BACKEND: only "none" and "vxlan" run without BIRD (rc.local:45-61)', () => {
    assert.equal(networkingBackend('vxlan'), 'vxlan');
    assert.equal(networkingBackend('none'), 'none');
    for (const bird of [undefined, '', 'bird', 'VXLAN', 'gobgp']) assert.equal(networkingBackend(bird), 'bird', String(bird));
    assert.equal(networkingBackend('vxlan', 'false'), 'none');
    assert.equal(networkingBackend('none', 'true'), 'bird');
  });

  it('BIRD, the only reader of CALICO_ROUTER_ID, runs for the bird backend alone (rc.local:45-61)', () => {
    assert.equal(runsBird('bird'), true);
    assert.equal(runsBird('vxlan'), false);
    assert.equal(runsBird('none'), false);
  });

  it('FELIX_PROGRAMCLUSTERROUTES: "Enabled" in any case programs the routes; Disabled, unset and the master-only modes do not', () => {
    for (const on of ['Enabled', 'enabled', 'ENABLED']) assert.equal(felixProgramsClusterRoutes(on), true, on);
    for (const off of [undefined, '', 'Disabled', 'EnabledIPIPOnly', 'EnabledNoEncapOnly', 'true']) assert.equal(felixProgramsClusterRoutes(off), false, String(off));
  });

  it('pool CIDR variables: exactly "none" skips the pool; unset or empty is the default pool', () => {
    assert.deepEqual(poolCidrSetting('none'), { kind: 'none' });
    assert.deepEqual(poolCidrSetting('None'), { kind: 'cidr', text: 'None' });
    assert.deepEqual(poolCidrSetting(''), { kind: 'default' });
    assert.deepEqual(poolCidrSetting(undefined), { kind: 'default' });
    assert.deepEqual(poolCidrSetting('10.244.0.0/16'), { kind: 'cidr', text: '10.244.0.0/16' });
  });

  it('IP / IP6 are compared exactly', () => {
    assert.equal(addressSetting('autodetect'), 'autodetect');
    assert.equal(addressSetting('Autodetect'), 'literal');
    assert.equal(addressSetting('none'), 'none');
    assert.equal(addressSetting(''), 'unset');
    assert.equal(addressSetting('10.0.0.1'), 'literal');
  });
});
