import path from 'node:path';
import * as cheerio from 'cheerio';
import ejs from 'ejs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseForm } from '../../src/web/forms';

const VIEWS = path.resolve(import.meta.dirname, '../../views');
const t = (key: string) => `«${key}»`;

const schema = z.object({
  name: z.string().trim().min(1, 'forms.required'),
  email: z.email('forms.invalidEmail'),
});

function renderForm(body: Record<string, string>): cheerio.CheerioAPI {
  const result = parseForm(schema, body);
  const errors = result.ok ? [] : result.errors;
  const values = result.ok ? result.data : result.input;
  const template = `
    <%- include('components/error-summary', { errors }) %>
    <%- include('components/text-field', { id: 'name', name: 'name', label: 'l.name', description: 'l.nameHelp', value: values.name, type: 'text', autocomplete: 'name', errors }) %>
    <%- include('components/text-field', { id: 'email', name: 'email', label: 'l.email', description: undefined, value: values.email, type: 'email', autocomplete: 'email', errors }) %>`;
  const html = ejs.render(template, { t, errors, values }, { views: [VIEWS], filename: path.join(VIEWS, 'form.ejs') });
  return cheerio.load(html);
}

describe('form components', () => {
  it('shows an error summary linking to each invalid field, the message beside it, and the input kept', () => {
    const $ = renderForm({ name: '  ', email: 'inte-en-adress<script>' });
    const links = $('[data-testid=error-summary] a');
    expect(links.map((_, link) => $(link).attr('href')).get()).toEqual(['#name', '#email']);
    expect(links.first().text()).toBe('«forms.required»');

    const email = $('input#email');
    expect(email.attr('aria-invalid')).toBe('true');
    expect(email.attr('aria-describedby')).toBe('email-error');
    expect($('#email-error').text()).toBe('«forms.invalidEmail»');
    expect(email.attr('value')).toBe('inte-en-adress<script>');
    expect($('script')).toHaveLength(0);

    expect($('input#name').attr('aria-describedby')).toBe('name-description name-error');
    expect($('label[for=name]').text()).toBe('«l.name»');
  });

  it('shows no summary and no invalid marks when the input is valid', () => {
    const $ = renderForm({ name: 'Anna', email: 'anna@example.se' });
    expect($('[data-testid=error-summary]')).toHaveLength(0);
    expect($('[aria-invalid]')).toHaveLength(0);
    expect($('input#name').attr('aria-describedby')).toBe('name-description');
  });
});
