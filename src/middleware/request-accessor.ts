import { IncomingMessage } from 'node:http';

/**
 * A property of every request computed on first read (`req.session`, `req.oauth`), defined once as an accessor on
 * the request's prototype rather than on each request: a property defined on each request object moves it into
 * V8's slow dictionary mode, which every later property read of the request pays for, and one built eagerly costs
 * every request an allocation whether it is used or not.
 *
 * The getter and setter see the request as `this`. Assigning the property on a request replaces the accessor with a
 * plain value on that request only, so apps and other middleware that set it keep working.
 */
export interface RequestAccessor<T> {
  get(req: object): T | undefined;
  set?(req: object, value: T): boolean;
}

/**
 * Makes `name` an accessor on the prototype `req` inherits it from: Express's own request prototype, just above
 * `http.IncomingMessage.prototype`, which every app built from that copy of Express shares (Express swaps in an app's
 * prototype as a request enters each app or sub-app). A request that is not an IncomingMessage gets the accessor on
 * itself. Cheap after the first request: one prototype read and one comparison.
 *
 * @returns A function to call with each request before the property is read.
 */
export function requestAccessor<T>(name: string, accessor: RequestAccessor<T>): (req: object) => void {
  const descriptor: PropertyDescriptor = {
    configurable: true,
    enumerable: true,
    get(this: object) {
      return accessor.get(this);
    },
    set(this: object, value: T) {
      if (accessor.set?.(this, value)) return;
      Object.defineProperty(this, name, { configurable: true, enumerable: true, writable: true, value });
    },
  };
  const bases = new WeakSet<object>();
  let known: object | null = null;
  return (req) => {
    const proto = Object.getPrototypeOf(req) as object | null;
    if (proto === known && proto !== null) return;
    const base = requestBase(req);
    if (!bases.has(base)) {
      Object.defineProperty(base, name, descriptor);
      bases.add(base);
    }
    if (base !== req) known = proto;
  };
}

function requestBase(req: object): object {
  let current: object = req;
  for (let proto = Object.getPrototypeOf(req); proto; proto = Object.getPrototypeOf(proto)) {
    if (proto === IncomingMessage.prototype) return current;
    current = proto;
  }
  return req;
}
