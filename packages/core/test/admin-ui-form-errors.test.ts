import { describe, expect, it } from 'vitest';
import { ApiError, type Field } from '../admin-ui/src/api.js';
import { fieldErrors, formBody } from '../admin-ui/src/pages/form-values.js';

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
});
