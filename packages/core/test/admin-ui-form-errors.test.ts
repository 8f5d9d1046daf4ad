import { describe, expect, it } from 'vitest';
import { ApiError, type Field } from '../admin-ui/src/api.js';
import {
  emptyRow,
  FormValueError,
  fieldErrors,
  formBody,
  initialValues,
} from '../admin-ui/src/pages/form-values.js';

const fields: Field[] = [
  { key: 'title', label: { en: 'Title' }, type: 'text', required: true },
  { key: 'note', label: { en: 'Note' }, type: 'text' },
  { key: 'limit', label: { en: 'Limit' }, type: 'number' },
  { key: 'published', label: { en: 'Published' }, type: 'boolean' },
  { key: 'tags', label: { en: 'Tags' }, type: 'list' },
];

describe('declarative forms of the admin panel', () => {
  it('sends each field type as its JSON type, leaving out empty optional fields', () => {
    expect(
      formBody(fields, { title: 'Hours', note: '  ', limit: '12.5', published: true, tags: ' a \n\n b\n' }),
    ).toEqual({ title: 'Hours', limit: 12.5, published: true, tags: ['a', 'b'] });
  });

  it('puts 422 issues and a domain error’s details.field under their fields, the rest above the button', () => {
    const invalid = new ApiError(422, 'VALIDATION_FAILED', 'Request body is invalid', [
      { path: 'title', message: 'String must contain at most 200 character(s)' },
      { path: 'tags.1', message: 'Too long' },
      { path: '', message: 'Give a title or content' },
    ]);
    expect(fieldErrors(fields, invalid)).toEqual({
      byField: { title: 'String must contain at most 200 character(s)', tags: 'Too long' },
      general: ['Give a title or content'],
    });
    const taken = new ApiError(409, 'TITLE_TAKEN', 'Pick another title', [], { field: 'title' });
    expect(fieldErrors(fields, taken)).toEqual({ byField: { title: 'Pick another title' }, general: [] });
    const other = new ApiError(409, 'READ_ONLY', 'Edit it in its file', [], { filePath: 'faq.md' });
    expect(fieldErrors(fields, other)).toEqual({ byField: {}, general: ['Edit it in its file (READ_ONLY)'] });
  });

  it('a json field is shown pretty-printed and sent parsed; JSON that does not parse names its field', () => {
    const json: Field[] = [
      { key: 'steps', label: { en: 'Steps' }, type: 'json', required: true },
      { key: 'extra', label: { en: 'Extra' }, type: 'json' },
    ];
    const values = initialValues(json, { steps: [{ tool: 'report' }] });
    expect(values).toEqual({ steps: '[\n  {\n    "tool": "report"\n  }\n]', extra: '' });
    expect(formBody(json, { steps: '[{"tool":"tag_users","tags":["a"]}]', extra: ' ' })).toEqual({
      steps: [{ tool: 'tag_users', tags: ['a'] }],
    });
    expect(formBody(json, { steps: 'null', extra: '{"a":1}' })).toEqual({ steps: null, extra: { a: 1 } });
    const bad = (() => {
      try {
        formBody(json, { steps: '[{"tool":', extra: '' });
      } catch (err) {
        return err;
      }
    })();
    expect(bad).toBeInstanceOf(FormValueError);
    expect((bad as FormValueError).field).toBe('steps');
  });

  it('an objects field edits a list of sub-objects, each row sent with its fields’ types', () => {
    const rows: Field[] = [
      {
        key: 'variants',
        label: { en: 'Variants' },
        type: 'objects',
        fields: [
          { key: 'key', label: { en: 'Key' }, type: 'text', required: true },
          { key: 'weight', label: { en: 'Weight' }, type: 'number' },
          { key: 'on', label: { en: 'On' }, type: 'boolean' },
        ],
      },
    ];
    expect(initialValues(rows, undefined)).toEqual({ variants: [] });
    expect(emptyRow(rows[0]!)).toEqual({ key: '', weight: '', on: false });
    const values = initialValues(rows, { variants: [{ key: 'a', weight: 2, on: true }, { key: 'b' }] });
    expect(values).toEqual({
      variants: [
        { key: 'a', weight: '2', on: true },
        { key: 'b', weight: '', on: false },
      ],
    });
    expect(formBody(rows, values)).toEqual({
      variants: [
        { key: 'a', weight: 2, on: true },
        { key: 'b', on: false },
      ],
    });
    // A 422 about a row's field belongs to the objects field.
    const invalid = new ApiError(422, 'VALIDATION_FAILED', 'Request body is invalid', [
      { path: 'variants.1.weight', message: 'Expected number' },
    ]);
    expect(fieldErrors(rows, invalid).byField).toEqual({ variants: 'Expected number' });
  });

  it('a dotted key is read from and sent back to the nested object, also in objects rows', () => {
    const rows: Field[] = [
      {
        key: 'steps',
        label: { en: 'Steps' },
        type: 'objects',
        fields: [
          { key: 'tool', label: { en: 'Tool' }, type: 'select', options: ['tag_users', 'report'] },
          { key: 'audience.tag', label: { en: 'Tag' }, type: 'text' },
          { key: 'audience.segment', label: { en: 'Segment' }, type: 'text' },
        ],
      },
      { key: 'meta.note', label: { en: 'Note' }, type: 'text' },
    ];
    const values = initialValues(rows, {
      steps: [{ tool: 'tag_users', audience: { tag: 'buyer' } }, { tool: 'report' }],
      meta: { note: 'n' },
    });
    expect(values).toEqual({
      steps: [
        { tool: 'tag_users', 'audience.tag': 'buyer', 'audience.segment': '' },
        { tool: 'report', 'audience.tag': '', 'audience.segment': '' },
      ],
      'meta.note': 'n',
    });
    expect(formBody(rows, values)).toEqual({
      steps: [{ tool: 'tag_users', audience: { tag: 'buyer' } }, { tool: 'report' }],
      meta: { note: 'n' },
    });
  });
});
