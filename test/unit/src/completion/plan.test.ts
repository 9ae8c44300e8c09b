import assert from 'node:assert/strict';
import { planCompletion, type Plan } from '../../../../src/completion/plan.js';
import { Directive, formatCompletion } from '../../../../src/completion/protocol.js';
import type { CommandTable, TableFlag } from '../../../../src/completion/table.js';

const connection: TableFlag[] = [
  { name: 'kubeconfig', takesValue: true, summary: 'Path to the kubeconfig file.' },
  { name: 'context', takesValue: true },
  { name: 'namespace', char: 'n', takesValue: true },
  { name: 'request-timeout', takesValue: true },
];

const table: CommandTable = {
  sources: {},
  topics: { vnc: "Reach a VM's graphical console.", images: 'Manage the image catalog.' },
  commands: [
    { id: 'create', summary: 'Create a VM.', args: [{ name: 'name' }], flags: [...connection, { name: 'image', takesValue: true }, { name: 'node-selector', takesValue: true, multiple: true }, { name: 'dry-run', takesValue: false }, { name: 'output', char: 'o', takesValue: true, options: ['json', 'yaml'] }] },
    { id: 'ls', summary: 'List VMs.', args: [], flags: [...connection, { name: 'output', char: 'o', takesValue: true, options: ['json', 'yaml', 'name', 'wide'] }, { name: 'no-headers', takesValue: false }, { name: 'all-namespaces', char: 'A', takesValue: false }] },
    { id: 'ssh', summary: 'SSH into a VM.', args: [{ name: 'destination' }], flags: [...connection, { name: 'identity-file', char: 'i', takesValue: true }] },
    { id: 'scp', summary: 'Copy files.', args: [{ name: 'source' }, { name: 'destination' }], flags: connection },
    { id: 'stop', summary: 'Stop a VM.', args: [{ name: 'vm' }], flags: [...connection, { name: 'wait', takesValue: false, allowNo: true }] },
    { id: 'vnc', summary: 'Open a VNC viewer.', args: [{ name: 'vm' }], flags: connection },
    { id: 'vnc port-forward', summary: 'Serve VNC on a local port.', args: [{ name: 'vm' }], flags: connection },
    { id: 'images pull', summary: 'Pull an image to the nodes.', args: [{ name: 'image' }], flags: [...connection, { name: 'node', takesValue: true }] },
    { id: 'completion', summary: 'Print a completion script.', args: [{ name: 'shell', options: ['bash', 'zsh', 'fish'] }], flags: [] },
    { id: 'secret', summary: 'Hidden.', hidden: true, args: [], flags: [] },
  ],
};

const values = (plan: Plan) => (plan.kind === 'static' ? plan.candidates.map((c) => c.value) : [`<${plan.source}>`]);

describe('completion plan (pure)', () => {
  const cases: Array<[string, string[], string[], number?]> = [
    ['top-level commands and topics, hidden ones left out', [''], ['completion', 'create', 'images', 'ls', 'scp', 'ssh', 'stop', 'vnc'], Directive.noFileComp],
    ['top-level commands by prefix', ['s'], ['scp', 'ssh', 'stop']],
    ['a topic lists its subcommands', ['images', ''], ['pull']],
    ['a command that is also a topic offers subcommands and VMs', ['vnc', ''], ['<vm>']],
    ['flags of a command, long names, with --help', ['ls', '--'], ['--kubeconfig', '--context', '--namespace', '--request-timeout', '--output', '--no-headers', '--all-namespaces', '--help']],
    ['a lone dash also offers short flags', ['ls', '-'], ['--kubeconfig', '--context', '--namespace', '-n', '--request-timeout', '--output', '-o', '--no-headers', '--all-namespaces', '-A', '--help']],
    ['negatable booleans offer --no-', ['stop', 'web', '--w'], ['--wait']],
    ['negatable booleans offer --no-', ['stop', 'web', '--no'], ['--no-wait']],
    ['a flag already given is not offered again', ['ls', '--no-headers', '--no'], []],
    ['-o values from the flag options', ['ls', '-o', ''], ['json', 'yaml', 'name', 'wide']],
    ['--output values by prefix', ['ls', '--output', 'y'], ['yaml']],
    ['--output= values keep the prefix', ['ls', '--output=w'], ['--output=wide']],
    ['argument options', ['completion', ''], ['bash', 'zsh', 'fish']],
    ['create names a new VM: nothing to offer', ['create', ''], []],
    ['--image looks up the catalog', ['create', 'web', '--image', ''], ['<image>']],
    ['--node-selector looks up nodes', ['create', 'web', '--node-selector', ''], ['<node-selector>']],
    ['-n looks up namespaces', ['ls', '-n', ''], ['<namespace>']],
    ['--context reads the kubeconfig', ['ls', '--context', ''], ['<context>']],
    ['ssh destination looks up VMs', ['ssh', ''], ['<vm>']],
    ['an image argument looks up the catalog', ['images', 'pull', ''], ['<image>']],
    ['no more arguments: nothing', ['stop', 'web', ''], []],
    ['an unknown command: nothing', ['nope', ''], []],
    ['after --, words are arguments', ['ssh', '--', '-x'], ['<vm>']],
    ['help takes command words', ['help', 'vnc', ''], ['port-forward']],
    ['help at the top', ['help', 'st'], ['stop']],
  ];
  for (const [title, args, expected, directive] of cases) {
    it(`${title}: ${JSON.stringify(args)}`, () => {
      const plan = planCompletion(table, args);
      assert.deepEqual(values(plan), expected);
      if (directive !== undefined) assert.equal(plan.directive, directive);
    });
  }

  it('vnc also offers its subcommand next to the VM lookup', () => {
    const plan = planCompletion(table, ['vnc', 'p']);
    assert.equal(plan.kind, 'lookup');
    assert.deepEqual(plan.kind === 'lookup' && plan.extra?.map((c) => c.value), ['port-forward']);
  });

  it('file-valued flags let the shell complete file names', () => {
    assert.deepEqual(planCompletion(table, ['ssh', 'web', '-i', '']), { kind: 'static', candidates: [], directive: Directive.default });
    assert.deepEqual(planCompletion(table, ['ls', '--kubeconfig', '']), { kind: 'static', candidates: [], directive: Directive.default });
  });

  it('passes the connection flags on the line to the lookup', () => {
    const plan = planCompletion(table, ['stop', '--kubeconfig', '/k', '--context=c', '-nprod', '--request-timeout', '2s', '']);
    assert.equal(plan.kind, 'lookup');
    assert.deepEqual(plan.kind === 'lookup' && plan.connection, { kubeconfig: '/k', context: 'c', namespace: 'prod', 'request-timeout': '2s' });
  });

  it('ssh user@ keeps the user as a prefix', () => {
    const plan = planCompletion(table, ['ssh', 'root@w']);
    assert.equal(plan.kind, 'lookup');
    if (plan.kind !== 'lookup') return;
    assert.equal(plan.prefix, 'root@');
    assert.equal(plan.partial, 'w');
  });

  it('NAME. asks for VMs in every namespace, as NAME.NAMESPACE', () => {
    const plan = planCompletion(table, ['ssh', 'root@web.t']);
    assert.equal(plan.kind, 'lookup');
    if (plan.kind !== 'lookup') return;
    assert.deepEqual([plan.source, plan.prefix, plan.partial], ['vm-qualified', 'root@', 'web.t']);
  });

  it('scp offers vm: without a space, and leaves local paths to the shell', () => {
    const remote = planCompletion(table, ['scp', 'w']);
    assert.equal(remote.kind, 'lookup');
    assert.equal(remote.kind === 'lookup' && remote.suffix, ':');
    assert.equal(remote.directive, Directive.noSpace);
    assert.deepEqual(planCompletion(table, ['scp', './']), { kind: 'static', candidates: [], directive: Directive.default });
    assert.deepEqual(planCompletion(table, ['scp', 'web:/etc/']), { kind: 'static', candidates: [], directive: Directive.default });
  });
});

describe('completion protocol output', () => {
  it('prints value<TAB>description lines and the directive last', () => {
    assert.equal(
      formatCompletion([{ value: 'ls', description: 'List VMs.\nmore' }, { value: 'web' }], Directive.noFileComp | Directive.keepOrder),
      'ls\tList VMs.\nweb\n:36\n',
    );
  });

  it('uses the Cobra directive values', () => {
    assert.deepEqual(Directive, { default: 0, error: 1, noSpace: 2, noFileComp: 4, filterFileExt: 8, filterDirs: 16, keepOrder: 32 });
  });
});
