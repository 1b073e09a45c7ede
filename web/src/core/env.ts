/** True in Node (not in browsers or their workers, nor in Node with a DOM shim that defines window). */
export const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';
