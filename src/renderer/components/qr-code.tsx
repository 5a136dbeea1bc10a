/**
 * A QR code of `text` as an <img> of an SVG data URL (the CSP allows `img-src data:`; no
 * markup is injected). The `qrcode` package loads on first use, so it is not part of the
 * startup JavaScript (scripts/ui-size.js).
 */
import type { ReactElement } from 'react';
import { useEffect, useState } from 'react';

/** The SVG markup of a QR code for `text`, from the lazily loaded `qrcode` package. */
async function qrSvg(text: string): Promise<string> {
  const { default: QRCode } = await import('qrcode');
  // Medium error correction: still scans from a slightly glossy or dim screen.
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

export function QrCode({ text, label }: { text: string; label: string }): ReactElement {
  const [svg, setSvg] = useState<{ text: string; markup: string } | undefined>(undefined);
  const [failed, setFailed] = useState<string | undefined>(undefined);
  useEffect(() => {
    let cancelled = false;
    qrSvg(text).then(
      (markup) => {
        if (!cancelled) setSvg({ text, markup });
      },
      (error: unknown) => {
        if (!cancelled) setFailed(error instanceof Error ? error.message : String(error));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [text]);
  if (failed) return <p className="field-error">Could not draw the QR code: {failed}</p>;
  if (svg?.text !== text) return <div className="qr-code qr-loading" aria-hidden="true" />;
  return (
    <img
      className="qr-code"
      src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg.markup)}`}
      alt={label}
      width={192}
      height={192}
    />
  );
}
