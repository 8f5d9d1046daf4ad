import { describe, expect, it } from 'vitest';
import { actionApplies, actionsFor } from '../admin-ui/src/pages/row-actions.js';
import { type AdminPageDefinition, adminPagesSchema } from '../src/admin-panel/page-schema.js';

const list = {
  endpoint: '/drafts',
  items: 'items',
  columns: [{ key: 'text', label: { en: 'Text' } }],
};

function page(extra: Record<string, unknown>): AdminPageDefinition {
  return { id: 'queue', title: { en: 'Queue', ru: 'Очередь' }, list, ...extra } as AdminPageDefinition;
}

function problems(pages: AdminPageDefinition[]): string[] {
  const result = adminPagesSchema.safeParse(pages);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('admin page schema: row actions', () => {
  it('accepts row actions with defaults applied (POST, default tone)', () => {
    const [parsed] = adminPagesSchema.parse([
      page({
        list: { ...list, filters: [{ param: 'status', label: { en: 'Status' }, default: 'pending' }] },
        rowActions: [
          {
            id: 'approve',
            label: { en: 'Approve', ru: 'Одобрить' },
            endpoint: '/drafts/:id/approve',
            when: { key: 'status', equals: 'pending' },
          },
          {
            id: 'edit-approve',
            label: { en: 'Edit and approve' },
            endpoint: '/drafts/:id/approve',
            method: 'PUT',
            when: { key: 'status', in: ['pending', 'scheduled'] },
            input: { fields: [{ key: 'text', label: { en: 'Text' }, type: 'textarea', required: true }] },
          },
        ],
      }),
    ]);
    expect(parsed!.rowActions![0]).toMatchObject({ method: 'POST', tone: 'default' });
    expect(parsed!.rowActions![1]!.input!.fields[0]).toMatchObject({ key: 'text', type: 'textarea' });
    expect(parsed!.list!.filters![0]!.default).toBe('pending');
  });

  it('refuses a bad definition, naming the field', () => {
    const approve = { id: 'approve', label: { en: 'Approve' }, endpoint: '/drafts/:id/approve' };
    expect(problems([page({ rowActions: [{ ...approve, endpoint: '/drafts/approve' }] })])).toEqual([
      '0.rowActions.0.endpoint: must name the row, e.g. "/things/:id/approve"',
    ]);
    expect(problems([page({ rowActions: [approve, approve] })])).toEqual([
      '0.rowActions: row action ids must be unique',
    ]);
    expect(problems([page({ rowActions: [{ ...approve, when: { key: 'status' } }] })])).toEqual([
      '0.rowActions.0.when: `when` has exactly one of `equals` or `in`',
    ]);
    expect(
      problems([page({ rowActions: [{ ...approve, when: { key: 'status', equals: 'a', in: ['b'] } }] })]),
    ).toEqual(['0.rowActions.0.when: `when` has exactly one of `equals` or `in`']);
    expect(problems([page({ rowActions: [{ ...approve, method: 'GET' }] })])[0]).toMatch(
      /^0\.rowActions\.0\.method/,
    );
    expect(problems([page({ rowActions: [{ ...approve, label: { ru: 'Одобрить' } }] })])[0]).toMatch(
      /^0\.rowActions\.0\.label\.en/,
    );
    expect(problems([page({ rowActions: [{ ...approve, onClick: 'x' }] })])[0]).toMatch(/Unrecognized key/);
    expect(problems([page({ rowActions: [{ ...approve, input: { fields: [] } }] })])[0]).toMatch(
      /^0\.rowActions\.0\.input\.fields/,
    );
    expect(problems([page({ rowActions: [] })])[0]).toMatch(/^0\.rowActions/);
    // A custom page has no rows to act on.
    expect(
      problems([
        {
          id: 'custom',
          title: { en: 'Custom' },
          module: { file: '/x/page.js', uiVersion: '1.1.0' },
          rowActions: [approve],
        } as AdminPageDefinition,
      ]),
    ).toEqual(['0: `rowActions` act on the rows of `list` or the item of `detail`: declare one']);
  });
});

describe('admin page schema: json and objects fields', () => {
  const create = (fields: unknown[]) =>
    page({ create: { endpoint: '/things', label: { en: 'Add' }, fields } });

  it('accepts an objects field with scalar row fields, and a json field', () => {
    const [parsed] = adminPagesSchema.parse([
      create([
        { key: 'steps', label: { en: 'Steps' }, type: 'json' },
        {
          key: 'variants',
          label: { en: 'Variants' },
          type: 'objects',
          fields: [
            { key: 'key', label: { en: 'Key' } },
            { key: 'weight', label: { en: 'Weight' }, type: 'number' },
          ],
        },
      ]),
    ]);
    expect(parsed!.create!.fields[1]!.fields![0]!.type).toBe('text');
  });

  it('refuses objects without row fields, row fields elsewhere, and nesting', () => {
    expect(problems([create([{ key: 'variants', label: { en: 'V' }, type: 'objects' }])])).toEqual([
      '0.create.fields.0.fields: an `objects` field lists its row `fields`, and only it does',
    ]);
    expect(
      problems([create([{ key: 'name', label: { en: 'N' }, fields: [{ key: 'x', label: { en: 'X' } }] }])]),
    ).toEqual(['0.create.fields.0.fields: an `objects` field lists its row `fields`, and only it does']);
    expect(
      problems([
        create([
          {
            key: 'variants',
            label: { en: 'V' },
            type: 'objects',
            fields: [{ key: 'inner', label: { en: 'I' }, type: 'objects' }],
          },
        ]),
      ])[0],
    ).toMatch(/^0\.create\.fields\.0\.fields\.0\.type/);
  });
});

describe('which row actions a row shows', () => {
  const approve = { when: { key: 'status', equals: 'pending' } };
  const stop = { when: { key: 'plan.status', in: ['approved', 'running'] } };
  const always = {};

  it('matches `equals` and `in` on the row’s field, strictly', () => {
    expect(actionApplies(approve, { status: 'pending' })).toBe(true);
    expect(actionApplies(approve, { status: 'sent' })).toBe(false);
    expect(actionApplies(approve, {})).toBe(false);
    expect(actionApplies({ when: { key: 'n', equals: 1 } }, { n: '1' })).toBe(false);
    expect(actionApplies(stop, { plan: { status: 'running' } })).toBe(true);
    expect(actionApplies(stop, { plan: { status: 'done' } })).toBe(false);
    expect(actionsFor([approve, stop, always], { status: 'pending' })).toEqual([approve, always]);
    expect(actionsFor(undefined, { status: 'pending' })).toEqual([]);
  });
});

describe('admin page schema: live lists', () => {
  it('accepts a socket and ticket path under the plugin, and refuses a URL or a missing ticket', () => {
    const [parsed] = adminPagesSchema.parse([
      page({ list: { ...list, live: { socket: '/inbox', ticket: '/inbox/ticket' } } }),
    ]);
    expect(parsed!.list!.live).toEqual({ socket: '/inbox', ticket: '/inbox/ticket' });
    expect(
      problems([page({ list: { ...list, live: { socket: 'wss://evil.example/ws', ticket: '/t' } } })]),
    ).toEqual(['0.list.live.socket: must be a path starting with "/" under the plugin\'s public routes']);
    expect(problems([page({ list: { ...list, live: { socket: '/../other/ws', ticket: '/t' } } })])).toEqual([
      "0.list.live.socket: must stay under the plugin's public routes",
    ]);
    expect(problems([page({ list: { ...list, live: { socket: '/inbox' } } })])).toEqual([
      '0.list.live.ticket: Required',
    ]);
  });
});

describe('admin page schema: value labels', () => {
  it('keeps labels for a column’s and a filter’s stored values, and refuses a label without English', () => {
    const labelled = page({
      list: {
        ...list,
        columns: [
          { key: 'status', label: { en: 'Status' }, values: { closed: { en: 'Closed', ru: 'Закрыто' } } },
        ],
        filters: [
          {
            param: 'status',
            label: { en: 'Status' },
            options: ['closed'],
            values: { closed: { en: 'Closed' } },
          },
        ],
      },
    });
    const parsed = adminPagesSchema.parse([labelled])[0]!;
    expect(parsed.list?.columns[0]).toMatchObject({ values: { closed: { en: 'Closed', ru: 'Закрыто' } } });
    expect(parsed.list?.filters?.[0]).toMatchObject({ values: { closed: { en: 'Closed' } } });
    const bad = page({
      list: {
        ...list,
        columns: [{ key: 'status', label: { en: 'Status' }, values: { closed: { ru: 'Закрыто' } } }],
      },
    });
    expect(problems([bad])).toEqual(['0.list.columns.0.values.closed.en: Required']);
  });
});
