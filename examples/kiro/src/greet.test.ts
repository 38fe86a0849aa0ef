/**
 * **Feature: greeting, Property 1: Greetings name the user**
 */
import { greet } from "./greet";

test("greets by name", () => expect(greet("Ada")).toBe("Hello, Ada!"));
