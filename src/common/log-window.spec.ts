import { LogWindow } from './log-window';

describe(LogWindow.name, () => {
  it('admits the first event of each window and counts the ones held back', () => {
    let now = 1_000;
    const window = new LogWindow(10_000, () => now);
    expect(window.admit()).toEqual({ heldBack: 0 });
    for (let n = 0; n < 500; n += 1) expect(window.admit()).toBeUndefined();
    now += 9_999;
    expect(window.admit()).toBeUndefined();
    now += 1;
    expect(window.admit()).toEqual({ heldBack: 501 });
    now += 20_000;
    expect(window.admit()).toEqual({ heldBack: 0 });
  });
});
