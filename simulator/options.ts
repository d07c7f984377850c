/**
 * What the simulator's flags accept, without the server: the fault
 * specification's form and the request fields it can honour, for command
 * lines and help that must not load the simulator itself.
 *
 * @module
 */
export { FAULT_SPEC_FORM } from "./_faults.ts";
export { HONOURED_FIELDS } from "./_options.ts";
