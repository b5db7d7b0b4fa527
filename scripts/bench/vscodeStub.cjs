// The few parts of the `vscode` API that the tree provider and the bundle's top level touch, for the benchmark in
// plain Node: a TreeItem is a plain object here, as it is in the extension host until VS Code serialises it.
class EventEmitter {
  constructor() {
    this.listeners = new Set();
    this.event = (listener) => {
      this.listeners.add(listener);
      return { dispose: () => this.listeners.delete(listener) };
    };
  }

  fire(value) {
    this.listeners.forEach((listener) => listener(value));
  }

  dispose() {
    this.listeners.clear();
  }
}

class TreeItem {
  constructor(label, collapsibleState) {
    this.label = label;
    this.collapsibleState = collapsibleState;
  }
}

class ThemeIcon {
  constructor(id, color) {
    this.id = id;
    this.color = color;
  }
}

class ThemeColor {
  constructor(id) {
    this.id = id;
  }
}

class MarkdownString {
  constructor(value, supportThemeIcons) {
    this.value = value;
    this.supportThemeIcons = supportThemeIcons;
  }
}

/** Commands registered through the stub, so the benchmark can run one (the paging rows' "Show all"). */
const registered = new Map();

module.exports = {
  EventEmitter,
  TreeItem,
  ThemeIcon,
  ThemeColor,
  MarkdownString,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  commands: {
    registerCommand(id, callback) {
      registered.set(id, callback);
      return { dispose: () => registered.delete(id) };
    },
    executeCommand: async (id, ...args) => registered.get(id)?.(...args),
  },
};
