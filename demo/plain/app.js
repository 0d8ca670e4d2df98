// A todo page as many were written: jQuery, $.ajax (XMLHttpRequest), its state in localStorage,
// the list refreshed from the server now and then. It knows nothing of sw-outbox.
(function ($) {
  'use strict';

  var storageKey = 'plain-todos';
  var todos = load();

  function load() {
    try {
      return JSON.parse(localStorage.getItem(storageKey)) || [];
    } catch (error) {
      return [];
    }
  }

  function save() {
    localStorage.setItem(storageKey, JSON.stringify(todos));
    render();
  }

  function indexOf(id) {
    for (var i = 0; i < todos.length; i++) if (String(todos[i].id) === String(id)) return i;
    return -1;
  }

  function render() {
    var $list = $('#todos').empty();
    $.each(todos, function (_, todo) {
      var $item = $('<li class="todo">').attr('data-id', todo.id).toggleClass('done', !!todo.done);
      $('<input type="checkbox" class="toggle">').prop('checked', !!todo.done).appendTo($item);
      $('<span class="title">').text(todo.title).appendTo($item);
      $('<button type="button" class="rename">').text('Rename').appendTo($item);
      $('<button type="button" class="delete">').text('Delete').appendTo($item);
      $list.append($item);
    });
    $('#count').text(todos.length + (todos.length === 1 ? ' todo' : ' todos'));
  }

  function send(method, url, body) {
    return $.ajax({ url: url, method: method, contentType: 'application/json', data: body ? JSON.stringify(body) : undefined, dataType: 'json' });
  }

  function refresh() {
    $.ajax({ url: '/api/todos', dataType: 'json', cache: false }).done(function (list) {
      todos = list;
      save();
    });
  }

  $('#add').on('submit', function (event) {
    event.preventDefault();
    var title = String($('#title').val()).trim();
    if (!title) return;
    $('#title').val('');
    send('POST', '/api/todos', { title: title, done: false }).done(function (todo) {
      todos.push(todo);
      save();
    });
  });

  $('#todos').on('change', '.toggle', function () {
    var id = $(this).closest('li').attr('data-id');
    var done = this.checked;
    send('PATCH', '/api/todos/' + id, { done: done }).done(function (changes) {
      var i = indexOf(id);
      if (i >= 0) todos[i] = $.extend({}, todos[i], changes, { id: todos[i].id });
      save();
    });
  });

  $('#todos').on('click', '.rename', function () {
    var $item = $(this).closest('li');
    var $input = $('<input class="rename-input">').val($item.find('.title').text());
    $item.find('.title').replaceWith($input);
    $input.trigger('focus').on('keydown', function (event) {
      if (event.key !== 'Enter') return;
      var id = $item.attr('data-id');
      send('PATCH', '/api/todos/' + id, { title: String($input.val()).trim() }).done(function (changes) {
        var i = indexOf(id);
        if (i >= 0) todos[i] = $.extend({}, todos[i], changes, { id: todos[i].id });
        save();
      });
    });
  });

  $('#todos').on('click', '.delete', function () {
    var id = $(this).closest('li').attr('data-id');
    $.ajax({ url: '/api/todos/' + id, method: 'DELETE' }).done(function () {
      var i = indexOf(id);
      if (i >= 0) todos.splice(i, 1);
      save();
    });
  });

  render();
  refresh();
  setInterval(function () {
    if (navigator.onLine) refresh();
  }, 2000);
})(jQuery);
