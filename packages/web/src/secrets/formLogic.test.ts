import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnectorType } from '../api/types';
import { checkForm, fieldKey, formValue } from './formLogic';

const S3: ConnectorType = {
  type: 's3', label: 'AWS S3', open_keys: null,
  fields: [
    { name: 'access_key_id', label: 'Access Key ID', required: true, sensitive: false, input: 'text' },
    { name: 'secret_access_key', label: 'Secret Access Key', required: true, sensitive: true, input: 'text' },
    { name: 'region', label: 'Region', required: true, sensitive: false, input: 'text' },
    { name: 'session_token', label: 'Session Token', required: false, sensitive: true, input: 'textarea' },
  ],
};
const GENERIC: ConnectorType = { type: 'generic', label: 'Generic', open_keys: '^[A-Za-z_][A-Za-z0-9_]{0,63}$', fields: [] };

describe('formValue', () => {
  it('leaves blank fields out, so an edit keeps the stored value of a blank sensitive field', () => {
    const v = formValue({ def: S3, values: { region: ' eu-west-1 ', secret_access_key: '' }, removed: new Set(), rows: [] });
    assert.deepEqual(v, { region: 'eu-west-1' });
  });
  it('sends sensitive values exactly as typed, and null for a field marked for removal', () => {
    const v = formValue({ def: S3, values: { secret_access_key: ' with spaces ', session_token: 'ignored' }, removed: new Set(['session_token']), rows: [] });
    assert.deepEqual(v, { secret_access_key: ' with spaces ', session_token: null });
  });
  it('generic: stored rows left blank are kept, removed ones are null, new ones are sent', () => {
    const v = formValue({ def: GENERIC, values: {}, removed: new Set(), rows: [
      { key: 'token', value: '', stored: true }, { key: 'old', value: '', stored: true, remove: true }, { key: 'added', value: 'x' },
    ] });
    assert.deepEqual(v, { old: null, added: 'x' });
  });
});

describe('checkForm', () => {
  it('asks for the type, a valid name and every required field when creating', () => {
    assert.deepEqual(Object.keys(checkForm({ creating: true, type: null, name: '', values: {}, rows: [] })).sort(), ['secret_id', 'secret_type']);
    const e = checkForm({ creating: true, type: 's3', name: 'bad name', def: S3, values: { access_key_id: 'AKIA' }, rows: [] });
    assert.match(e.secret_id!, /letters, digits/);
    assert.deepEqual(Object.keys(e).sort(), ['region', 'secret_access_key', 'secret_id']);
    assert.equal(checkForm({ creating: true, type: 's3', name: 'trash', def: S3, values: {}, rows: [] }).secret_id, "'trash' is reserved");
  });
  it('requires nothing when editing: blank means keep', () => {
    assert.deepEqual(checkForm({ creating: false, type: 's3', name: 'x', def: S3, values: {}, rows: [] }), {});
  });
  it('generic: refuses bad and duplicate field names', () => {
    const e = checkForm({ creating: true, type: 'generic', name: 'g', def: GENERIC, values: {}, rows: [{ key: '1bad', value: 'v' }, { key: 'a', value: '1' }, { key: 'a', value: '2' }] });
    assert.ok(e['1bad'], "e['1bad']");
    assert.equal(e._generic, 'Two fields have the same name');
  });
});

it('maps server field paths to form fields', () => {
  assert.equal(fieldKey('body.secret_value.region'), 'region');
  assert.equal(fieldKey('secret_value.account_key'), 'account_key');
  assert.equal(fieldKey('body.secret_id'), 'secret_id');
});
