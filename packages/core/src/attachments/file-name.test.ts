import { describe, expect, it } from 'vitest';
import { cleanFileName } from './file-name';

describe('cleanFileName', () => {
  it('keeps a plain name as it is', () => {
    expect(cleanFileName('学年だより12月.pdf', 'pdf')).toBe('学年だより12月.pdf');
    expect(cleanFileName('IMG_0012.JPG', 'jpeg')).toBe('IMG_0012.JPG');
    expect(cleanFileName('map.jpeg', 'jpeg')).toBe('map.jpeg');
  });

  it('drops any folder, of either kind of path', () => {
    expect(cleanFileName('C:\\Users\\tanaka\\Desktop\\お知らせ.pdf', 'pdf')).toBe('お知らせ.pdf');
    expect(cleanFileName('../../etc/passwd.png', 'png')).toBe('passwd.png');
    expect(cleanFileName('/storage/emulated/0/DCIM/a.jpg', 'jpeg')).toBe('a.jpg');
  });

  it('drops control, bidi and invisible characters and leading dots', () => {
    expect(cleanFileName('re\u0000po\u0007rt\r\n.pdf', 'pdf')).toBe('report.pdf');
    expect(cleanFileName('photo\u202egpj.exe.png', 'png')).toBe('photogpj.exe.png');
    expect(cleanFileName('\u200bzero\ufeff.pdf', 'pdf')).toBe('zero.pdf');
    expect(cleanFileName('..hidden.pdf', 'pdf')).toBe('hidden.pdf');
  });

  it('gives the extension of what the file is', () => {
    expect(cleanFileName('report.html', 'pdf')).toBe('report.html.pdf');
    expect(cleanFileName('photo.png', 'jpeg')).toBe('photo.png.jpg');
    expect(cleanFileName('', 'pdf')).toBe('attachment.pdf');
    expect(cleanFileName('C:\\dir\\', 'png')).toBe('attachment.png');
    expect(cleanFileName('.pdf', 'pdf')).toBe('pdf.pdf');
  });

  it('shortens a long name without losing its extension', () => {
    const name = cleanFileName(`${'あ'.repeat(300)}.pdf`, 'pdf');
    expect([...name]).toHaveLength(100);
    expect(name.endsWith('あ.pdf')).toBe(true);
  });
});
