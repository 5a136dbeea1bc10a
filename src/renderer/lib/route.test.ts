import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref } from './route.js';

describe('routes', () => {
  it('reads the page and its parameters, defaulting unknown pages to chat', () => {
    const route = parseRoute('#/devices?request=r1');
    expect(route.page).toBe('devices');
    expect(route.params.get('request')).toBe('r1');
    expect(parseRoute('').page).toBe('chat');
    expect(parseRoute('#/nope').page).toBe('chat');
    expect(routeHref('providers', { edit: 'a b' })).toBe('#/providers?edit=a+b');
  });
});
