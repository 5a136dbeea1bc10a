/**
 * An answer rendered as Markdown by react-markdown, which builds React elements and never
 * raw HTML: `skipHtml` drops HTML in the text, and its default `urlTransform` drops
 * `javascript:` and other unsafe link targets. Code blocks get a Copy button. Loaded
 * lazily by the Chat page, so the parser is fetched only when an answer arrives.
 */
import type { ComponentPropsWithoutRef, ReactElement } from 'react';
import { useEffect, useRef, useState } from 'react';
import Markdown from 'react-markdown';
import type { Components } from 'react-markdown';

/** How long "Copied" stays on the button. */
const COPIED_MS = 2000;

type CopyState = 'idle' | 'copied' | 'failed';

function CodeBlock(props: ComponentPropsWithoutRef<'pre'>): ReactElement {
  const { children, ...rest } = props;
  const ref = useRef<HTMLPreElement>(null);
  const [state, setState] = useState<CopyState>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), COPIED_MS);
    return () => clearTimeout(timer);
  }, [state]);

  const copy = () => {
    // The code as the reader sees it; Markdown ends every fenced block with a newline.
    const text = (ref.current?.textContent ?? '').replace(/\n$/, '');
    navigator.clipboard.writeText(text).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  };
  const label = state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy code';
  return (
    <div className="md-code">
      <div className="md-code-head">
        <button type="button" className="btn btn-ghost btn-small" onClick={copy}>
          <span aria-hidden="true">{state === 'copied' ? '✓ ' : ''}</span>
          {label}
        </button>
      </div>
      <pre ref={ref} {...rest}>
        {children}
      </pre>
    </div>
  );
}

/** Links in answers open outside the Control UI and learn nothing about it. */
function ExternalLink(props: ComponentPropsWithoutRef<'a'>): ReactElement {
  const { children, ...rest } = props;
  return (
    <a {...rest} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  );
}

// react-markdown hands each component its `node`; it must not reach the DOM as an attribute.
const COMPONENTS: Components = {
  pre: ({ node: _node, ...props }) => <CodeBlock {...props} />,
  a: ({ node: _node, ...props }) => <ExternalLink {...props} />,
};

/** `text` as Markdown, raw HTML skipped. */
export default function ChatMarkdown({ text }: { text: string }): ReactElement {
  return (
    <Markdown skipHtml components={COMPONENTS}>
      {text}
    </Markdown>
  );
}
