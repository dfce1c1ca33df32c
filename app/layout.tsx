import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Providers } from '@/components/providers';
import { themeBootScript } from '@/components/designer/theme/theme';
import './globals.css';

export const metadata: Metadata = {
  title: 'Sluice',
  description: 'Design, validate and run data pipelines visually.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // The boot script sets the theme class before the first paint, so React's markup differs from the DOM there on purpose.
    <html lang="en" className="dark" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: themeBootScript }} />
      </head>
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
