// The renderer behaves as Helm's engine on the points charts depend on, so that a chart that
// passes here renders the same under `helm install`. Each expectation is Helm 3's documented
// behaviour (helm/pkg/engine), including its quirks (numbers are float64).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ChartError, renderChart } from './helm.js';

function fixtureChart(templates: Record<string, string>, values: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'coffer-fixture-chart-'));
  mkdirSync(path.join(dir, 'templates'));
  writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: fixture\nversion: 1.2.3\nappVersion: "4.5"\n');
  writeFileSync(path.join(dir, 'values.yaml'), values);
  for (const [name, text] of Object.entries(templates)) writeFileSync(path.join(dir, 'templates', name), text);
  return dir;
}

describe('helm-render follows Helm', () => {
  const chartDir = fixtureChart(
    {
      '_helpers.tpl': '{{- define "fx.name" -}}{{ .Chart.Name }}-{{ .Release.Name }}{{- end }}',
      'a.yaml': [
        'name: {{ include "fx.name" . }}',
        'version: {{ .Chart.AppVersion | quote }}',
        'missing: "{{ .Values.nope }}"',
        'count: {{ .Values.count }}',
        'big: "{{ .Values.big }}"',
        'bigInt: {{ int .Values.big }}',
        'list:',
        '  {{- toYaml .Values.list | nindent 2 }}',
        'tpl: {{ tpl .Values.t . }}',
        'template: {{ .Template.Name }}',
        'onOff: {{ .Values.onOff }}',
      ].join('\n'),
      'b.yaml': '{{- if .Values.need }}value: {{ required "need.value is required" .Values.need.value }}{{ end }}',
    },
    'count: 2\nbig: 1000000\nlist: [z, {b: 1, a: 2}]\nt: "{{ .Release.Namespace }}"\nonOff: on\nneed: null\n',
  );

  it('renders includes, pipelines, tpl and toYaml; hides partials; prints a missing value as nothing', () => {
    const r = renderChart({}, { chartDir, release: 'rel', namespace: 'ns' });
    assert.deepEqual(r.objects.map((o) => o.source), ['fixture/templates/a.yaml']);
    const { source: _s, ...a } = r.objects[0]!;
    assert.deepEqual(a, {
      name: 'fx-rel'.replace('fx', 'fixture'),
      version: '4.5',
      missing: '',
      count: 2,
      // Helm reads values through JSON: numbers are float64, and a large one prints in e-notation.
      big: '1e+06',
      bigInt: 1000000,
      list: ['z', { a: 2, b: 1 }],
      tpl: 'ns',
      template: 'fixture/templates/a.yaml',
      // YAML 1.1, as Helm reads values files: `on` is a boolean.
      onOff: true,
    });
  });

  it('reports required values the way Helm does', () => {
    assert.throws(() => renderChart({ need: { other: 1 } }, { chartDir }), (e: Error) => {
      assert.ok(e instanceof ChartError, 'e instanceof ChartError');
      assert.match(e.message, /^template: execution error at \(fixture\/templates\/b\.yaml:1:\d+\): need\.value is required$/);
      return true;
    });
    assert.equal(renderChart({ need: { value: 'x' } }, { chartDir }).objects.length, 2);
  });

  it('refuses a template that calls a function Helm lacks (env is removed, as in Helm)', () => {
    const broken = fixtureChart({ 'c.yaml': 'home: {{ env "HOME" }}' }, '{}\n');
    assert.throws(() => renderChart({}, { chartDir: broken }), /parse error in \(fixture\/templates\/c\.yaml\).*function "env" not defined/);
  });
});
