// Installer metadata for `npm run package:check`: who made the package and where it lives.
// Every installer (deb/AppImage maintainer, vendor and homepage, the .desktop entry's
// Comment and Categories, the dmg and nsis publisher) takes these from package.json and
// electron-builder.yml; a placeholder there ships to every user who opens the package info.

/** Text that is a stand-in for a real value. */
export const PLACEHOLDER_PATTERNS = [
  /\.invalid\b/i,
  /\bexample\.(com|org|net)\b/i,
  /\bTODO\b/,
  /\bFIXME\b/,
  /\byour[ _-]?(name|email)\b/i,
  /\bchangeme\b/i,
  /@localhost\b/i,
];

/** `Name <email> (url)`, the npm string form of a person, as an object. */
function person(value) {
  if (typeof value !== 'string') return value ?? {};
  const match = /^([^<(]*)(?:<([^>]*)>)?\s*(?:\(([^)]*)\))?/.exec(value);
  return {
    name: match?.[1]?.trim() || undefined,
    email: match?.[2]?.trim() || undefined,
    url: match?.[3]?.trim() || undefined,
  };
}

/** Every string under `value`, as [dotted path, text] rows. */
function strings(value, path) {
  if (typeof value === 'string') return [[path, value]];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => strings(child, `${path}.${key}`));
}

/**
 * One line per problem: a required field missing, or a placeholder in a field an installer
 * shows. `pkg` is package.json, `builder` the parsed electron-builder.yml.
 */
export function metadataProblems(pkg, builder) {
  const problems = [];
  const author = person(pkg.author);
  const repository = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  const required = [
    ['description', pkg.description, 'the package description and the .desktop Comment'],
    ['author.name', author.name, 'the maintainer and vendor'],
    ['author.email', author.email, "the deb's Maintainer field"],
    ['homepage', pkg.homepage, "the deb's Homepage and the vendor URL"],
    ['repository', repository, 'where the sources are'],
  ];
  for (const [field, value, use] of required) {
    if (typeof value !== 'string' || value.trim() === '') {
      problems.push(`package.json ${field} is missing (installers use it for ${use})`);
    }
  }
  const shown = [
    ...strings(pkg.productName, 'productName'),
    ...strings(pkg.description, 'description'),
    ...strings(author, 'author'),
    ...strings(pkg.homepage, 'homepage'),
    ...strings(repository, 'repository'),
    ...strings(pkg.bugs, 'bugs'),
  ].map(([path, text]) => ['package.json', path, text]);
  const b = builder ?? {};
  const builderFields = [
    ...strings(b.productName, 'productName'),
    ...strings(b.copyright, 'copyright'),
    ...['maintainer', 'vendor', 'synopsis', 'description', 'category', 'desktop'].flatMap((key) =>
      strings(b.linux?.[key], `linux.${key}`),
    ),
    ...strings(b.deb, 'deb'),
    ...strings(b.mac?.category, 'mac.category'),
    ...strings(b.nsis?.publisherName ?? b.win?.publisherName, 'win.publisherName'),
  ].map(([path, text]) => ['electron-builder.yml', path, text]);
  for (const [file, path, text] of [...shown, ...builderFields]) {
    if (PLACEHOLDER_PATTERNS.some((pattern) => pattern.test(text))) {
      problems.push(
        `${file} ${path} is a placeholder (${JSON.stringify(text)}); installers show it: set the real value`,
      );
    }
  }
  return problems;
}
