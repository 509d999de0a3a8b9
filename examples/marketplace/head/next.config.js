/** @type {import('next').NextConfig} */
const CORE_API_URL = process.env.CORE_API_URL || 'http://localhost:4000';

const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  async rewrites() {
    return [
      {
        // Browser calls stay same-origin; Next proxies them to the core API.
        source: '/api/:path*',
        destination: `${CORE_API_URL}/api/:path*`,
      },
    ];
  },
};

module.exports = nextConfig;
