// Every cell's HTML is one fragment of a page that holds them all: a comment or tag left open in
// one would swallow every cell after it. So each is parsed on its own and written back out as a
// browser reads it, which closes what it leaves open at its own end (JupyterLab, too, renders
// each cell and output apart).
import { parseFragment, serialize } from "parse5";

export function closedFragment(html: string): string {
  return serialize(parseFragment(html));
}
