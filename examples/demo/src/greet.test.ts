import { greet } from "./greet";

test("greets", () => expect(greet("x")).toBe("Hello, x"));
